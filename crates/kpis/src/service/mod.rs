//! The KPI use cases: types (managers), KPIs (managers; global ones read by everyone, a
//! client's within scope), assignments to contracts with their lifecycle (managers),
//! measurements (analysts and up within scope), and performance against target.

use std::collections::HashMap;
use std::sync::Arc;

use axis_contracts::ContractId;
use axis_kernel::{
    Actor, AuditRecord, ClientAccess, ClientAction, ClientGuard, ClientId, Clock, DomainError, FieldErrors,
    Page, PageRequest, expect_version, retry_unconditional,
};

use crate::model::OwnedMeasurement;
use crate::performance::{ClientKpiSummary, Performance, SummaryRow, performance};
use crate::{
    ASSIGNMENT_LIFECYCLE, AssignmentAction, AssignmentFields, AssignmentId, AssignmentListQuery,
    AssignmentStatus, Kpi, KpiAssignment, KpiFields, KpiId, KpiListQuery, KpiRepository, KpiType,
    KpiTypeFields, KpiTypeId, Measurement, MeasurementFields, MeasurementId,
};

pub struct KpiService {
    repo: Arc<dyn KpiRepository>,
    guard: ClientGuard,
    clock: Arc<dyn Clock>,
}

/// A KPI's performance, with what it is measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentPerformance {
    pub assignment: KpiAssignment,
    pub kpi: Kpi,
    pub performance: Performance,
}

impl KpiService {
    pub fn new(repo: Arc<dyn KpiRepository>, access: Arc<dyn ClientAccess>, clock: Arc<dyn Clock>) -> Self {
        Self { repo, guard: ClientGuard::new(access), clock }
    }

    // ---- KPI types: everyone reads them; managers write them.

    pub async fn create_type(&self, actor: &Actor, fields: KpiTypeFields) -> Result<KpiType, DomainError> {
        ClientAction::Manage.require(actor)?;
        let fields = fields.parse()?;
        let now = self.clock.now();
        let kpi_type = KpiType {
            id: KpiTypeId::new(),
            name: fields.name,
            description: fields.description,
            weight: fields.weight,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.repo.insert_type(&kpi_type, &AuditRecord::created(actor, &kpi_type, now)).await
    }

    pub async fn get_type(&self, id: KpiTypeId) -> Result<KpiType, DomainError> {
        self.repo.get_type(id).await?.ok_or(DomainError::NotFound)
    }

    pub async fn list_types(&self, page: PageRequest) -> Result<Page<KpiType>, DomainError> {
        self.repo.list_types(page).await
    }

    pub async fn update_type(
        &self,
        actor: &Actor,
        id: KpiTypeId,
        change: impl FnOnce(&mut KpiTypeFields) + Send + Clone,
        if_match: Option<i32>,
    ) -> Result<KpiType, DomainError> {
        ClientAction::Manage.require(actor)?;
        retry_unconditional(if_match, || async {
            let current = self.get_type(id).await?;
            expect_version(if_match, current.version)?;
            let mut fields = KpiTypeFields {
                name: current.name.clone(),
                description: current.description.clone(),
                weight: current.weight,
            };
            (change.clone())(&mut fields);
            let fields = fields.parse()?;
            let now = self.clock.now();
            let after = KpiType {
                name: fields.name,
                description: fields.description,
                weight: fields.weight,
                updated_at: now,
                ..current.clone()
            };
            match AuditRecord::changed(actor, "update", &current, &after, now) {
                Some(audit) => self
                    .repo
                    .save_type(&after, current.version, &audit)
                    .await?
                    .ok_or(DomainError::VersionMismatch),
                None => Ok(current),
            }
        })
        .await
    }

    /// Refused (409) while a KPI is of this type.
    pub async fn delete_type(&self, actor: &Actor, id: KpiTypeId) -> Result<(), DomainError> {
        ClientAction::Manage.require(actor)?;
        let current = self.get_type(id).await?;
        let audit = AuditRecord::deleted(actor, &current, self.clock.now());
        if self.repo.delete_type(id, &audit).await? {
            Ok(())
        } else {
            Err(DomainError::conflict("KPIs of this type exist: delete or retype them first"))
        }
    }

    // ---- KPIs.

    /// The KPI `id` if the actor may take `action` on it: a client's KPI out of scope is
    /// `NotFound`; a global one is everyone's to read and a manager's to change.
    async fn load_kpi(&self, actor: &Actor, id: KpiId, action: ClientAction) -> Result<Kpi, DomainError> {
        let kpi = self.repo.get_kpi(id).await?.ok_or(DomainError::NotFound)?;
        match kpi.client_id {
            Some(client) => self.guard.require(actor, client, action).await?,
            None if action == ClientAction::Read => {}
            None => ClientAction::Manage.require(actor)?,
        }
        Ok(kpi)
    }

    /// The client a contract named in a body belongs to; one the actor cannot see (or that
    /// does not exist) is a field error on `field`.
    async fn contract_owner(
        &self,
        actor: &Actor,
        field: &str,
        contract: ContractId,
    ) -> Result<ClientId, DomainError> {
        let not_a_contract = || DomainError::from(FieldErrors::single(field, "is not a contract"));
        let client = self.repo.contract_client(contract).await?.ok_or_else(not_a_contract)?;
        match self.guard.require_reference(actor, field, client).await {
            Ok(()) => Ok(client),
            Err(DomainError::Validation(_)) => Err(not_a_contract()),
            Err(other) => Err(other),
        }
    }

    pub async fn create_kpi(&self, actor: &Actor, fields: KpiFields) -> Result<Kpi, DomainError> {
        ClientAction::Manage.require(actor)?;
        let draft = fields.parse()?;
        let fields = draft.fields;
        if self.repo.get_type(fields.kpi_type_id).await?.is_none() {
            return Err(FieldErrors::single("kpi_type_id", "is not a KPI type").into());
        }
        if let Some(client) = fields.client_id {
            self.guard.require_reference(actor, "client_id", client).await?;
        }
        if let Some(contract) = fields.contract_id {
            let owner = self.contract_owner(actor, "contract_id", contract).await?;
            if Some(owner) != fields.client_id {
                return Err(FieldErrors::single("contract_id", "is not a contract of client_id").into());
            }
        }
        let now = self.clock.now();
        let kpi = Kpi {
            id: KpiId::new(),
            name: fields.name,
            description: fields.description,
            kpi_type_id: fields.kpi_type_id,
            unit: fields.unit,
            unit_type: fields.unit_type,
            target: draft.target,
            direction: fields.direction,
            calculation_method: fields.calculation_method,
            frequency: fields.frequency,
            public: fields.public,
            client_id: fields.client_id,
            contract_id: fields.contract_id,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.repo.insert_kpi(&kpi, &AuditRecord::created(actor, &kpi, now)).await
    }

    pub async fn get_kpi(&self, actor: &Actor, id: KpiId) -> Result<Kpi, DomainError> {
        self.load_kpi(actor, id, ClientAction::Read).await
    }

    pub async fn list_kpis(
        &self,
        actor: &Actor,
        query: KpiListQuery,
        page: PageRequest,
    ) -> Result<Page<Kpi>, DomainError> {
        self.repo.list_kpis(actor.client_scope(), &query, page).await
    }

    /// Merges `change` into the KPI; its type, client and contract stay.
    pub async fn update_kpi(
        &self,
        actor: &Actor,
        id: KpiId,
        change: impl FnOnce(&mut KpiFields) + Send + Clone,
        if_match: Option<i32>,
    ) -> Result<Kpi, DomainError> {
        retry_unconditional(if_match, || async {
            let current = self.load_kpi(actor, id, ClientAction::Manage).await?;
            expect_version(if_match, current.version)?;
            let mut fields = KpiFields {
                name: current.name.clone(),
                description: current.description.clone(),
                kpi_type_id: current.kpi_type_id,
                unit: current.unit.clone(),
                unit_type: current.unit_type,
                target: current.target.as_ref().map(|t| t.normalized().to_string()),
                direction: current.direction,
                calculation_method: current.calculation_method.clone(),
                frequency: current.frequency,
                public: current.public,
                client_id: current.client_id,
                contract_id: current.contract_id,
            };
            (change.clone())(&mut fields);
            let mut errors = FieldErrors::new();
            for (field, changed) in [
                ("kpi_type_id", fields.kpi_type_id != current.kpi_type_id),
                ("client_id", fields.client_id != current.client_id),
                ("contract_id", fields.contract_id != current.contract_id),
            ] {
                if changed {
                    errors.add(field, "cannot change once the KPI is made");
                }
            }
            errors.into_result()?;
            let draft = fields.parse()?;
            let now = self.clock.now();
            let fields = draft.fields;
            let after = Kpi {
                name: fields.name,
                description: fields.description,
                unit: fields.unit,
                unit_type: fields.unit_type,
                target: draft.target,
                direction: fields.direction,
                calculation_method: fields.calculation_method,
                frequency: fields.frequency,
                public: fields.public,
                updated_at: now,
                ..current.clone()
            };
            match AuditRecord::changed(actor, "update", &current, &after, now) {
                Some(audit) => self
                    .repo
                    .save_kpi(&after, current.version, &audit)
                    .await?
                    .ok_or(DomainError::VersionMismatch),
                None => Ok(current),
            }
        })
        .await
    }

    /// Refused (409) while the KPI is assigned.
    pub async fn delete_kpi(&self, actor: &Actor, id: KpiId) -> Result<(), DomainError> {
        let current = self.load_kpi(actor, id, ClientAction::Manage).await?;
        let audit = AuditRecord::deleted(actor, &current, self.clock.now());
        if self.repo.delete_kpi(id, &audit).await? {
            Ok(())
        } else {
            Err(DomainError::conflict("the KPI is assigned to contracts: cancel and remove those first"))
        }
    }

    // ---- Assignments.

    async fn load_assignment(
        &self,
        actor: &Actor,
        id: AssignmentId,
        action: ClientAction,
    ) -> Result<KpiAssignment, DomainError> {
        let assignment = self.repo.get_assignment(id).await?.ok_or(DomainError::NotFound)?;
        self.guard.require(actor, assignment.client_id, action).await?;
        Ok(assignment)
    }

    pub async fn create_assignment(
        &self,
        actor: &Actor,
        fields: AssignmentFields,
    ) -> Result<KpiAssignment, DomainError> {
        ClientAction::Manage.require(actor)?;
        let (fields, target) = fields.parse()?;
        let client = self.contract_owner(actor, "contract_id", fields.contract_id).await?;
        let kpi = self
            .repo
            .get_kpi(fields.kpi_id)
            .await?
            .ok_or_else(|| FieldErrors::single("kpi_id", "is not a KPI"))?;
        if !kpi.applies_to(fields.contract_id, client) {
            return Err(FieldErrors::single("kpi_id", "belongs to another client or contract").into());
        }
        let now = self.clock.now();
        let assignment = KpiAssignment {
            id: AssignmentId::new(),
            kpi_id: fields.kpi_id,
            contract_id: fields.contract_id,
            client_id: client,
            target,
            frequency: fields.frequency,
            status: AssignmentStatus::Pending,
            start_date: fields.start_date,
            end_date: fields.end_date,
            notes: fields.notes,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.repo.insert_assignment(&assignment, &AuditRecord::created(actor, &assignment, now)).await
    }

    pub async fn get_assignment(
        &self,
        actor: &Actor,
        id: AssignmentId,
    ) -> Result<KpiAssignment, DomainError> {
        self.load_assignment(actor, id, ClientAction::Read).await
    }

    pub async fn list_assignments(
        &self,
        actor: &Actor,
        query: AssignmentListQuery,
        page: PageRequest,
    ) -> Result<Page<KpiAssignment>, DomainError> {
        self.repo.list_assignments(actor.client_scope(), &query, page).await
    }

    /// Merges `change` into the assignment; its KPI, contract and start date stay. The end
    /// date may not fall before a measured period.
    pub async fn update_assignment(
        &self,
        actor: &Actor,
        id: AssignmentId,
        change: impl FnOnce(&mut AssignmentFields) + Send + Clone,
        if_match: Option<i32>,
    ) -> Result<KpiAssignment, DomainError> {
        retry_unconditional(if_match, || async {
            let current = self.load_assignment(actor, id, ClientAction::Manage).await?;
            expect_version(if_match, current.version)?;
            let mut fields = AssignmentFields {
                kpi_id: current.kpi_id,
                contract_id: current.contract_id,
                target: current.target.as_ref().map(|t| t.normalized().to_string()),
                frequency: current.frequency,
                start_date: current.start_date,
                end_date: current.end_date,
                notes: current.notes.clone(),
            };
            (change.clone())(&mut fields);
            let mut errors = FieldErrors::new();
            for (field, changed) in [
                ("kpi_id", fields.kpi_id != current.kpi_id),
                ("contract_id", fields.contract_id != current.contract_id),
                ("start_date", fields.start_date != current.start_date),
            ] {
                if changed {
                    errors.add(field, "cannot change once the KPI is assigned");
                }
            }
            errors.into_result()?;
            let (fields, target) = fields.parse()?;
            if let Some(end) = fields.end_date {
                let measured = self.repo.measurements(id).await?;
                if measured.iter().any(|m| m.period_end > end) {
                    return Err(DomainError::conflict_on("end_date", "a measured period ends after it"));
                }
            }
            let now = self.clock.now();
            let after = KpiAssignment {
                target,
                frequency: fields.frequency,
                end_date: fields.end_date,
                notes: fields.notes,
                updated_at: now,
                ..current.clone()
            };
            match AuditRecord::changed(actor, "update", &current, &after, now) {
                Some(audit) => self
                    .repo
                    .save_assignment(&after, current.version, &audit)
                    .await?
                    .ok_or(DomainError::VersionMismatch),
                None => Ok(current),
            }
        })
        .await
    }

    /// A lifecycle move by the table (409 `illegal_transition` otherwise).
    pub async fn act(
        &self,
        actor: &Actor,
        id: AssignmentId,
        action: AssignmentAction,
        if_match: Option<i32>,
    ) -> Result<KpiAssignment, DomainError> {
        retry_unconditional(if_match, || async {
            let current = self.load_assignment(actor, id, ClientAction::Manage).await?;
            expect_version(if_match, current.version)?;
            let status = ASSIGNMENT_LIFECYCLE.next(current.status, action)?;
            let now = self.clock.now();
            let after = KpiAssignment { status, updated_at: now, ..current.clone() };
            let audit = AuditRecord::changed_or_action(actor, &action.to_string(), &current, &after, now);
            self.repo
                .save_assignment(&after, current.version, &audit)
                .await?
                .ok_or(DomainError::VersionMismatch)
        })
        .await
    }

    // ---- Measurements.

    pub async fn measurements(
        &self,
        actor: &Actor,
        id: AssignmentId,
    ) -> Result<Vec<Measurement>, DomainError> {
        self.load_assignment(actor, id, ClientAction::Read).await?;
        self.repo.measurements(id).await
    }

    /// Records a period's value (analysts and up): the assignment pending or ongoing, the period
    /// within its dates and overlapping none recorded (409 naming `period_start`).
    pub async fn record(
        &self,
        actor: &Actor,
        id: AssignmentId,
        fields: MeasurementFields,
    ) -> Result<Measurement, DomainError> {
        let assignment = self.load_assignment(actor, id, ClientAction::Edit).await?;
        let (fields, value) = fields.parse()?;
        if !assignment.status.takes_measurements() {
            return Err(DomainError::conflict(format!(
                "the assignment is {}: it takes no new measurements",
                assignment.status
            )));
        }
        within(&assignment, &fields)?;
        let now = self.clock.now();
        let measurement = OwnedMeasurement {
            measurement: Measurement {
                id: MeasurementId::new(),
                assignment_id: id,
                period_start: fields.period_start,
                period_end: fields.period_end,
                value,
                note: fields.note,
                recorded_by: actor.user_id,
                recorded_at: now,
                version: 1,
            },
            client_id: assignment.client_id,
        };
        self.repo.insert_measurement(&measurement, &AuditRecord::created(actor, &measurement, now)).await
    }

    async fn load_measurement(
        &self,
        actor: &Actor,
        id: MeasurementId,
    ) -> Result<(Measurement, KpiAssignment), DomainError> {
        let measurement = self.repo.get_measurement(id).await?.ok_or(DomainError::NotFound)?;
        let assignment = self.load_assignment(actor, measurement.assignment_id, ClientAction::Edit).await?;
        Ok((measurement, assignment))
    }

    /// Corrects a recorded period (analysts and up; not on a cancelled assignment).
    pub async fn correct(
        &self,
        actor: &Actor,
        id: MeasurementId,
        fields: MeasurementFields,
        if_match: Option<i32>,
    ) -> Result<Measurement, DomainError> {
        retry_unconditional(if_match, || async {
            let (current, assignment) = self.load_measurement(actor, id).await?;
            expect_version(if_match, current.version)?;
            if assignment.status == AssignmentStatus::Cancelled {
                return Err(DomainError::conflict(
                    "the assignment is cancelled: its measurements stay as they are",
                ));
            }
            let (fields, value) = fields.clone().parse()?;
            within(&assignment, &fields)?;
            let now = self.clock.now();
            let before = OwnedMeasurement { measurement: current.clone(), client_id: assignment.client_id };
            let after = OwnedMeasurement {
                measurement: Measurement {
                    period_start: fields.period_start,
                    period_end: fields.period_end,
                    value,
                    note: fields.note,
                    recorded_by: actor.user_id,
                    recorded_at: now,
                    ..current.clone()
                },
                client_id: assignment.client_id,
            };
            match AuditRecord::changed(actor, "update", &before, &after, now) {
                Some(audit) => self
                    .repo
                    .save_measurement(&after, current.version, &audit)
                    .await?
                    .ok_or(DomainError::VersionMismatch),
                None => Ok(current),
            }
        })
        .await
    }

    pub async fn delete_measurement(&self, actor: &Actor, id: MeasurementId) -> Result<(), DomainError> {
        let (current, assignment) = self.load_measurement(actor, id).await?;
        if assignment.status == AssignmentStatus::Cancelled {
            return Err(DomainError::conflict(
                "the assignment is cancelled: its measurements stay as they are",
            ));
        }
        let owned = OwnedMeasurement { measurement: current, client_id: assignment.client_id };
        let audit = AuditRecord::deleted(actor, &owned, self.clock.now());
        if self.repo.delete_measurement(id, &audit).await? { Ok(()) } else { Err(DomainError::NotFound) }
    }

    // ---- Performance.

    pub async fn performance(
        &self,
        actor: &Actor,
        id: AssignmentId,
    ) -> Result<AssignmentPerformance, DomainError> {
        let assignment = self.load_assignment(actor, id, ClientAction::Read).await?;
        let kpi = self.repo.get_kpi(assignment.kpi_id).await?.ok_or(DomainError::NotFound)?;
        let measured = self.repo.measurements(id).await?;
        let performance = performance(&kpi, &assignment, &measured);
        Ok(AssignmentPerformance { assignment, kpi, performance })
    }

    /// Every assignment of the client's contracts but the cancelled, with its performance.
    pub async fn client_summary(
        &self,
        actor: &Actor,
        client: ClientId,
    ) -> Result<ClientKpiSummary, DomainError> {
        self.guard.require(actor, client, ClientAction::Read).await?;
        let assigned = self.repo.client_assignments(client).await?;
        let ids: Vec<AssignmentId> = assigned.iter().map(|(a, _, _)| a.id).collect();
        let mut by_assignment: HashMap<AssignmentId, Vec<Measurement>> = HashMap::new();
        for measurement in self.repo.measurements_of(&ids).await? {
            by_assignment.entry(measurement.assignment_id).or_default().push(measurement);
        }
        let rows = assigned
            .into_iter()
            .map(|(assignment, kpi, kpi_type)| {
                let measured = by_assignment.remove(&assignment.id).unwrap_or_default();
                let performance = performance(&kpi, &assignment, &measured);
                SummaryRow { assignment, kpi, kpi_type, performance }
            })
            .collect();
        Ok(ClientKpiSummary::of(rows))
    }
}

/// A period within the assignment's dates: a rule over the stored assignment, so a period
/// outside them conflicts with it (409, naming `period_start`).
fn within(assignment: &KpiAssignment, fields: &MeasurementFields) -> Result<(), DomainError> {
    if assignment.covers(fields.period_start, fields.period_end) {
        return Ok(());
    }
    let until = assignment.end_date.map_or("open-ended".to_owned(), |end| format!("until {end}"));
    let message = format!("the period lies outside the assignment (from {}, {until})", assignment.start_date);
    Err(DomainError::conflict_on("period_start", message))
}

#[cfg(test)]
mod tests;
