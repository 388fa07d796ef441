use axis_contracts::ContractId;
use axis_kernel::{Audited, ClientId, Transitions, UserId, typed_id};
use bigdecimal::BigDecimal;
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};

typed_id!(
    /// A kind of KPI (service quality, utilisation, ...).
    KpiTypeId
);
typed_id!(
    /// A KPI definition.
    KpiId
);
typed_id!(
    /// A KPI bound to a contract.
    AssignmentId
);
typed_id!(
    /// One period's value of an assignment.
    MeasurementId
);

axis_kernel::string_enum! {
    /// What a KPI's values are.
    pub enum UnitType {
        Percentage => "percentage",
        Count => "count",
        Score => "score",
        Time => "time",
    }
}

axis_kernel::string_enum! {
    /// Which way a value beats its target.
    pub enum Direction {
        /// At or above the target is met.
        HigherIsBetter => "higher_is_better",
        /// At or below the target is met.
        LowerIsBetter => "lower_is_better",
    }
}

axis_kernel::string_enum! {
    /// How often a KPI is measured.
    pub enum Frequency {
        Once => "once",
        Weekly => "weekly",
        Monthly => "monthly",
        Quarterly => "quarterly",
        Annually => "annually",
    }
}

axis_kernel::string_enum! {
    /// Where an assignment is in its life.
    pub enum AssignmentStatus {
        Pending => "pending",
        Ongoing => "ongoing",
        /// Final.
        Completed => "completed",
        /// Final.
        Cancelled => "cancelled",
    }
}

axis_kernel::string_enum! {
    /// What moves an assignment's status.
    pub enum AssignmentAction {
        Activate => "activate",
        Pause => "pause",
        Complete => "complete",
        Cancel => "cancel",
    }
}

/// Every legal move of an assignment, one row each.
pub const ASSIGNMENT_LIFECYCLE: Transitions<AssignmentStatus, AssignmentAction> = Transitions::new(&[
    (AssignmentStatus::Pending, AssignmentAction::Activate, AssignmentStatus::Ongoing),
    (AssignmentStatus::Ongoing, AssignmentAction::Pause, AssignmentStatus::Pending),
    (AssignmentStatus::Ongoing, AssignmentAction::Complete, AssignmentStatus::Completed),
    (AssignmentStatus::Pending, AssignmentAction::Cancel, AssignmentStatus::Cancelled),
    (AssignmentStatus::Ongoing, AssignmentAction::Cancel, AssignmentStatus::Cancelled),
]);

impl AssignmentStatus {
    /// New measurements are recorded only while the assignment runs or waits to.
    pub fn takes_measurements(self) -> bool {
        matches!(self, AssignmentStatus::Pending | AssignmentStatus::Ongoing)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiType {
    pub id: KpiTypeId,
    /// Unique (any case).
    pub name: String,
    pub description: Option<String>,
    /// How much its KPIs count in a client's summary (1 when absent).
    pub weight: Option<i32>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kpi {
    pub id: KpiId,
    pub name: String,
    pub description: Option<String>,
    /// Fixed once made.
    pub kpi_type_id: KpiTypeId,
    /// What a value is counted in (`%`, `sessions`, `days`).
    pub unit: String,
    pub unit_type: UnitType,
    pub target: Option<BigDecimal>,
    pub direction: Direction,
    pub calculation_method: Option<String>,
    pub frequency: Option<Frequency>,
    /// May be shown to the client organisation.
    pub public: bool,
    /// `None` with no contract: a global KPI, any contract may be assigned it. Fixed once made.
    pub client_id: Option<ClientId>,
    /// A contract of `client_id`: only that contract may be assigned it. Fixed once made.
    pub contract_id: Option<ContractId>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Kpi {
    /// Whether `contract` (of `client`) may be assigned this KPI.
    pub fn applies_to(&self, contract: ContractId, client: ClientId) -> bool {
        match (self.client_id, self.contract_id) {
            (None, _) => true,
            (Some(own), None) => own == client,
            (Some(own), Some(only)) => own == client && only == contract,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiAssignment {
    pub id: AssignmentId,
    /// Fixed once made, as are the contract, the client and the start date.
    pub kpi_id: KpiId,
    pub contract_id: ContractId,
    /// The contract's client.
    pub client_id: ClientId,
    /// Overrides the KPI's target.
    pub target: Option<BigDecimal>,
    pub frequency: Frequency,
    pub status: AssignmentStatus,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl KpiAssignment {
    /// The target periods are measured against: the assignment's own, else the KPI's.
    pub fn effective_target<'a>(&'a self, kpi: &'a Kpi) -> Option<&'a BigDecimal> {
        self.target.as_ref().or(kpi.target.as_ref())
    }

    /// Whether a period lies within the assignment's dates.
    pub fn covers(&self, start: Date, end: Date) -> bool {
        start >= self.start_date && self.end_date.is_none_or(|last| end <= last)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measurement {
    pub id: MeasurementId,
    pub assignment_id: AssignmentId,
    /// Both days included; periods of one assignment never overlap.
    pub period_start: Date,
    pub period_end: Date,
    pub value: BigDecimal,
    pub note: Option<String>,
    pub recorded_by: Option<UserId>,
    pub recorded_at: OffsetDateTime,
    pub version: i32,
}

fn decimal(value: &Option<BigDecimal>) -> Value {
    value.as_ref().map_or(Value::Null, |v| json!(v.normalized().to_string()))
}

impl Audited for KpiType {
    const ENTITY_TYPE: &'static str = "kpi_type";
    const ACTIONS: &'static str = "kpi_type";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({"name": self.name, "description": self.description, "weight": self.weight})
    }
}

impl Audited for Kpi {
    const ENTITY_TYPE: &'static str = "kpi";
    const ACTIONS: &'static str = "kpi";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({
            "name": self.name, "description": self.description, "kpi_type_id": self.kpi_type_id,
            "unit": self.unit, "unit_type": self.unit_type, "target": decimal(&self.target),
            "direction": self.direction, "calculation_method": self.calculation_method,
            "frequency": self.frequency, "public": self.public, "client_id": self.client_id,
            "contract_id": self.contract_id,
        })
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        self.client_id.map(|client| ("client_id", json!(client))).into_iter().collect()
    }
}

impl Audited for KpiAssignment {
    const ENTITY_TYPE: &'static str = "kpi_assignment";
    const ACTIONS: &'static str = "kpi_assignment";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({
            "kpi_id": self.kpi_id, "contract_id": self.contract_id, "target": decimal(&self.target),
            "frequency": self.frequency, "status": self.status, "start_date": self.start_date.to_string(),
            "end_date": self.end_date.map(|d| d.to_string()), "notes": self.notes,
        })
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", json!(self.client_id))]
    }
}

/// A measurement with the client it belongs to (its audit records name the client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedMeasurement {
    pub measurement: Measurement,
    pub client_id: ClientId,
}

impl Audited for OwnedMeasurement {
    const ENTITY_TYPE: &'static str = "kpi_measurement";
    const ACTIONS: &'static str = "kpi_measurement";

    fn audit_id(&self) -> String {
        self.measurement.id.to_string()
    }

    fn audit_view(&self) -> Value {
        let m = &self.measurement;
        json!({
            "assignment_id": m.assignment_id, "period_start": m.period_start.to_string(),
            "period_end": m.period_end.to_string(), "value": m.value.normalized().to_string(), "note": m.note,
        })
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", json!(self.client_id)), ("assignment_id", json!(self.measurement.assignment_id))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assignment_lifecycle_cell_by_cell() {
        use AssignmentAction::*;
        use AssignmentStatus::*;
        let expected = |from, action| match (from, action) {
            (Pending, Activate) => Some(Ongoing),
            (Ongoing, Pause) => Some(Pending),
            (Ongoing, Complete) => Some(Completed),
            (Pending | Ongoing, Cancel) => Some(Cancelled),
            _ => None,
        };
        for from in [Pending, Ongoing, Completed, Cancelled] {
            for action in [Activate, Pause, Complete, Cancel] {
                assert_eq!(
                    ASSIGNMENT_LIFECYCLE.next(from, action).ok(),
                    expected(from, action),
                    "{from} {action}"
                );
            }
        }
    }

    #[test]
    fn which_contracts_a_kpi_applies_to() {
        let (client, contract) = (ClientId::new(), ContractId::new());
        let kpi = |client_id, contract_id| Kpi {
            id: KpiId::new(),
            name: "Utilisation".into(),
            description: None,
            kpi_type_id: KpiTypeId::new(),
            unit: "%".into(),
            unit_type: UnitType::Percentage,
            target: None,
            direction: Direction::HigherIsBetter,
            calculation_method: None,
            frequency: None,
            public: true,
            client_id,
            contract_id,
            version: 1,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert!(kpi(None, None).applies_to(contract, client));
        assert!(kpi(Some(client), None).applies_to(contract, client));
        assert!(!kpi(Some(ClientId::new()), None).applies_to(contract, client));
        assert!(kpi(Some(client), Some(contract)).applies_to(contract, client));
        assert!(!kpi(Some(client), Some(ContractId::new())).applies_to(contract, client));
    }
}
