use axis_kernel::{ClientId, Money, typed_id};
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

/// One status change in a contract's history: from `effective_on` the contract was `status`.
/// Coverage on any date is read from this history, so past dates keep the answer that was
/// true then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub status: ContractStatus,
    pub effective_on: Date,
    /// When the change was made (orders changes effective on the same day).
    pub at: OffsetDateTime,
    pub reason: Option<String>,
}

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
    pub status: ContractStatus,
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
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
}
