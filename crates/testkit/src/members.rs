//! Builders for contracts, staff and beneficiaries, beside [`crate::ClientBuilder`]: each
//! makes a valid record with unique values through the domain service (as the operator), so a
//! test names only what it is about.

use axis_beneficiaries::{Beneficiary, BeneficiaryFields, Relation};
use axis_contracts::{Act, ContractDetail, ContractFields};
use axis_kernel::{Actor, ClientId, ProfileFields};
use axis_staff::{StaffDetail, StaffFields, StaffId};
use time::Date;

use crate::TestApp;

/// A contract of one client, a draft unless [`ContractBuilder::active`].
pub struct ContractBuilder {
    fields: ContractFields,
    activate: bool,
}

impl ContractBuilder {
    /// A draft contract of `client` from `start` to `end`, 1,000 USD.
    pub fn new(client: ClientId, start: Date, end: Date) -> Self {
        let fields = ContractFields {
            client_id: Some(client),
            title: "EAP".to_owned(),
            start_date: Some(start),
            end_date: Some(end),
            billing_amount: Some("1000".to_owned()),
            currency: Some("USD".to_owned()),
            ..ContractFields::default()
        };
        Self { fields, activate: false }
    }

    pub fn title(mut self, title: &str) -> Self {
        self.fields.title = title.to_owned();
        self
    }

    /// Activated once made: in force from its start date when that has passed, else today.
    pub fn active(mut self) -> Self {
        self.activate = true;
        self
    }

    pub fn build(&self) -> ContractFields {
        self.fields.clone()
    }

    pub async fn insert(self, app: &TestApp) -> ContractDetail {
        let operator = Actor::command_line();
        let contracts = &app.wiring.contracts;
        let detail = contracts.create(&operator, self.build()).await.expect("create the contract");
        if !self.activate {
            return detail;
        }
        let activate = Act::Activate { effective_on: None };
        contracts.act(&operator, detail.contract.id, activate, None).await.expect("activate the contract")
    }
}

/// A staff member of one client, active from 1 January 2025.
pub struct StaffBuilder {
    fields: StaffFields,
}

impl StaffBuilder {
    /// A member of `client` with a unique name and employee number.
    pub fn new(client: ClientId) -> Self {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let fields = StaffFields {
            client_id: Some(client),
            profile: ProfileFields { full_name: format!("Member {unique}"), ..ProfileFields::default() },
            employee_number: Some(format!("E-{unique}")),
            employment_start: Date::from_calendar_date(2025, time::Month::January, 1).ok(),
            ..StaffFields::default()
        };
        Self { fields }
    }

    pub fn name(mut self, name: &str) -> Self {
        self.fields.profile.full_name = name.to_owned();
        self
    }

    pub fn employee_number(mut self, number: &str) -> Self {
        self.fields.employee_number = Some(number.to_owned());
        self
    }

    /// Contact data a viewer must not see: e-mail, phone, date of birth.
    pub fn with_contact_data(mut self) -> Self {
        self.fields.profile.email = Some("person@example.com".to_owned());
        self.fields.profile.phone = Some("+256 700 000001".to_owned());
        self.fields.profile.date_of_birth = Date::from_calendar_date(1990, time::Month::April, 2).ok();
        self
    }

    pub fn employment_start(mut self, day: Date) -> Self {
        self.fields.employment_start = Some(day);
        self
    }

    pub fn build(&self) -> StaffFields {
        self.fields.clone()
    }

    pub async fn insert(self, app: &TestApp) -> StaffDetail {
        app.wiring.staff.create(&Actor::command_line(), self.build()).await.expect("create the staff member")
    }
}

/// A dependent of one staff member: a spouse unless said otherwise.
pub struct BeneficiaryBuilder {
    fields: BeneficiaryFields,
}

impl BeneficiaryBuilder {
    /// A spouse of `staff` with a unique name.
    pub fn new(staff: StaffId) -> Self {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let fields = BeneficiaryFields {
            staff_id: Some(staff),
            profile: ProfileFields { full_name: format!("Dependent {unique}"), ..ProfileFields::default() },
            relation: Some(Relation::Spouse),
            ..BeneficiaryFields::default()
        };
        Self { fields }
    }

    pub fn name(mut self, name: &str) -> Self {
        self.fields.profile.full_name = name.to_owned();
        self
    }

    pub fn relation(mut self, relation: Relation) -> Self {
        self.fields.relation = Some(relation);
        self
    }

    pub fn phone(mut self, phone: &str) -> Self {
        self.fields.profile.phone = Some(phone.to_owned());
        self
    }

    pub fn date_of_birth(mut self, day: Date) -> Self {
        self.fields.profile.date_of_birth = Some(day);
        self
    }

    pub fn build(&self) -> BeneficiaryFields {
        self.fields.clone()
    }

    pub async fn insert(self, app: &TestApp) -> Beneficiary {
        app.wiring
            .beneficiaries
            .create(&Actor::command_line(), self.build())
            .await
            .expect("create the beneficiary")
    }
}
