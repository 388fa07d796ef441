use axis_kernel::{Audited, ClientId, Money, typed_id};

use crate::ContractDraft;
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

typed_id!(
    /// A contract between the organisation and a client.
    ContractId
);

axis_kernel::string_enum! {
    /// Where a contract is in its life. Statuses change only through the lifecycle's actions
    /// ([`crate::lifecycle`]), never by editing the contract.
    pub enum ContractStatus {
        Draft => "draft",
        Pending => "pending",
        Active => "active",
        Suspended => "suspended",
        /// Renewed for a further period: in force exactly like `active`.
        Renewed => "renewed",
        Expired => "expired",
        /// Final.
        Terminated => "terminated",
    }
}

impl ContractStatus {
    /// The contract covers its client (on the dates of its period).
    pub fn is_in_force(self) -> bool {
        matches!(self, ContractStatus::Active | ContractStatus::Renewed)
    }

    /// The contract holds its period against the client's other contracts: in force, or
    /// suspended and expected back. Two such contracts of one client may not overlap.
    pub fn holds_its_period(self) -> bool {
        self.is_in_force() || self == ContractStatus::Suspended
    }
}

axis_kernel::string_enum! {
    /// Whether the client has paid the current billing period.
    pub enum PaymentStatus {
        Pending => "pending",
        Paid => "paid",
        Overdue => "overdue",
        Cancelled => "cancelled",
        Refunded => "refunded",
    }
}

axis_kernel::string_enum! {
    /// How often the client is billed.
    pub enum BillingFrequency {
        Monthly => "monthly",
        Quarterly => "quarterly",
        SemiAnnual => "semi_annual",
        Annual => "annual",
    }
}

impl BillingFrequency {
    pub fn months(self) -> u32 {
        match self {
            BillingFrequency::Monthly => 1,
            BillingFrequency::Quarterly => 3,
            BillingFrequency::SemiAnnual => 6,
            BillingFrequency::Annual => 12,
        }
    }
}

axis_kernel::string_enum! {
    /// What the billing amount is per.
    pub enum BillingModel {
        /// The amount per billing period.
        Fixed => "fixed",
        /// The amount per covered employee per month.
        PerEmployeePerMonth => "per_employee_per_month",
        /// The amount per counselling session delivered.
        PerSession => "per_session",
    }
}

/// One entry of a contract's status history.
pub type StatusChange = axis_kernel::StatusChange<ContractStatus>;

#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    pub id: ContractId,
    pub client_id: ClientId,
    /// Unique; `C-YYYY-NNNNN` when the creator gives none.
    pub number: String,
    pub title: String,
    pub description: Option<String>,
    pub start_date: Date,
    pub end_date: Date,
    /// When renewal is to be decided; inside the period. The notice window opens here.
    pub renewal_date: Option<Date>,
    /// The status today. A termination dated ahead waits in `scheduled_change` until its day.
    pub status: ContractStatus,
    /// A status change dated ahead that has not taken effect (it does on its day, by itself).
    pub scheduled_change: Option<axis_kernel::Scheduled<ContractStatus>>,
    pub billing: Money,
    pub billing_frequency: BillingFrequency,
    pub billing_model: BillingModel,
    /// Employees the contract covers (what per-employee billing counts).
    pub covered_headcount: Option<i32>,
    pub payment_status: PaymentStatus,
    pub payment_terms: Option<String>,
    pub last_billing_date: Option<Date>,
    pub next_billing_date: Option<Date>,
    pub renewable: bool,
    pub auto_renew: bool,
    /// Days before the end date that the notice window opens when no renewal date is set.
    pub renewal_notice_days: i32,
    pub signed_by: Option<String>,
    pub signed_at: Option<OffsetDateTime>,
    pub termination_reason: Option<String>,
    pub termination_effective_on: Option<Date>,
    pub notes: Option<String>,
    /// The end date the renewal notice was recorded for (once per period).
    pub notice_sent_for: Option<Date>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
}

impl Contract {
    /// A new contract from its draft: `draft` status, payment pending, version 1.
    pub fn new(id: ContractId, number: String, draft: ContractDraft, now: OffsetDateTime) -> Self {
        Self {
            id,
            client_id: draft.client_id,
            number,
            title: draft.title,
            description: draft.description,
            start_date: draft.start_date,
            end_date: draft.end_date,
            renewal_date: draft.renewal_date,
            status: ContractStatus::Draft,
            scheduled_change: None,
            billing: draft.billing,
            billing_frequency: draft.billing_frequency,
            billing_model: draft.billing_model,
            covered_headcount: draft.covered_headcount,
            payment_status: PaymentStatus::Pending,
            payment_terms: draft.payment_terms,
            last_billing_date: None,
            next_billing_date: None,
            renewable: draft.renewable,
            auto_renew: draft.auto_renew,
            renewal_notice_days: draft.renewal_notice_days,
            signed_by: draft.signed_by,
            signed_at: draft.signed_at,
            termination_reason: None,
            termination_effective_on: None,
            notes: draft.notes,
            notice_sent_for: None,
            version: 1,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        }
    }

    /// This contract with its editable fields replaced by `draft` (status, payment state and
    /// history stay as they are).
    pub fn edited(&self, draft: ContractDraft) -> Self {
        Self {
            number: draft.number.unwrap_or_else(|| self.number.clone()),
            title: draft.title,
            description: draft.description,
            start_date: draft.start_date,
            end_date: draft.end_date,
            renewal_date: draft.renewal_date,
            billing: draft.billing,
            billing_frequency: draft.billing_frequency,
            billing_model: draft.billing_model,
            covered_headcount: draft.covered_headcount,
            payment_terms: draft.payment_terms,
            renewable: draft.renewable,
            auto_renew: draft.auto_renew,
            renewal_notice_days: draft.renewal_notice_days,
            signed_by: draft.signed_by,
            signed_at: draft.signed_at,
            notes: draft.notes,
            ..self.clone()
        }
    }
}

impl Audited for Contract {
    const ENTITY_TYPE: &'static str = "contract";
    const ACTIONS: &'static str = "contract";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    /// The fields an audit record compares.
    fn audit_view(&self) -> Value {
        json!({
            "number": self.number,
            "title": self.title,
            "description": self.description,
            "start_date": self.start_date.to_string(),
            "end_date": self.end_date.to_string(),
            "renewal_date": self.renewal_date.map(|d| d.to_string()),
            "status": self.status.as_str(),
            "billing_amount": self.billing.amount().to_string(),
            "currency": self.billing.currency().code(),
            "billing_frequency": self.billing_frequency.as_str(),
            "billing_model": self.billing_model.as_str(),
            "covered_headcount": self.covered_headcount,
            "payment_status": self.payment_status.as_str(),
            "payment_terms": self.payment_terms,
            "last_billing_date": self.last_billing_date.map(|d| d.to_string()),
            "next_billing_date": self.next_billing_date.map(|d| d.to_string()),
            "renewable": self.renewable,
            "auto_renew": self.auto_renew,
            "renewal_notice_days": self.renewal_notice_days,
            "signed_by": self.signed_by,
            "signed_at": self.signed_at.map(|t| t.unix_timestamp()),
            "termination_reason": self.termination_reason,
            "termination_effective_on": self.termination_effective_on.map(|d| d.to_string()),
            "notes": self.notes,
            "deleted_at": self.deleted_at.map(|t| t.unix_timestamp()),
        })
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", json!(self.client_id.to_string()))]
    }
}

impl axis_kernel::ClientOwned for Contract {
    fn owner(&self) -> ClientId {
        self.client_id
    }

    fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}
