use async_trait::async_trait;
use axis_contracts::ContractId;
use axis_kernel::{AuditRecord, ClientId, ClientScope, DomainError, Page, PageRequest};

use crate::model::OwnedMeasurement;
use crate::{
    AssignmentId, AssignmentStatus, Kpi, KpiAssignment, KpiId, KpiType, KpiTypeId, Measurement, MeasurementId,
};

/// Which KPIs a list shows (always within the reader's scope: global ones and those of clients
/// they see).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KpiListQuery {
    pub client: Option<ClientId>,
    pub contract: Option<ContractId>,
    pub kpi_type: Option<KpiTypeId>,
    pub public: Option<bool>,
    /// Only global KPIs (no client).
    pub global: bool,
    /// Name, case-insensitive.
    pub search: Option<String>,
}

/// Which assignments a list shows (within the reader's scope).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignmentListQuery {
    pub client: Option<ClientId>,
    pub contract: Option<ContractId>,
    pub kpi: Option<KpiId>,
    pub status: Option<AssignmentStatus>,
}

/// KPI types, KPIs, assignments and measurements as stored. Every write takes the audit record
/// of its change and commits with it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait KpiRepository: Send + Sync {
    async fn insert_type(&self, kpi_type: &KpiType, audit: &AuditRecord) -> Result<KpiType, DomainError>;
    async fn get_type(&self, id: KpiTypeId) -> Result<Option<KpiType>, DomainError>;
    async fn list_types(&self, page: PageRequest) -> Result<Page<KpiType>, DomainError>;
    /// `None`: the version moved on.
    async fn save_type(
        &self,
        kpi_type: &KpiType,
        expected: i32,
        audit: &AuditRecord,
    ) -> Result<Option<KpiType>, DomainError>;
    /// False when a KPI still uses it (nothing removed).
    async fn delete_type(&self, id: KpiTypeId, audit: &AuditRecord) -> Result<bool, DomainError>;

    async fn insert_kpi(&self, kpi: &Kpi, audit: &AuditRecord) -> Result<Kpi, DomainError>;
    async fn get_kpi(&self, id: KpiId) -> Result<Option<Kpi>, DomainError>;
    async fn list_kpis(
        &self,
        scope: ClientScope,
        query: &KpiListQuery,
        page: PageRequest,
    ) -> Result<Page<Kpi>, DomainError>;
    async fn save_kpi(
        &self,
        kpi: &Kpi,
        expected: i32,
        audit: &AuditRecord,
    ) -> Result<Option<Kpi>, DomainError>;
    /// False when an assignment still uses it.
    async fn delete_kpi(&self, id: KpiId, audit: &AuditRecord) -> Result<bool, DomainError>;

    /// The client a contract belongs to (`None`: no such contract, or deleted).
    async fn contract_client(&self, contract: ContractId) -> Result<Option<ClientId>, DomainError>;
    async fn insert_assignment(
        &self,
        assignment: &KpiAssignment,
        audit: &AuditRecord,
    ) -> Result<KpiAssignment, DomainError>;
    async fn get_assignment(&self, id: AssignmentId) -> Result<Option<KpiAssignment>, DomainError>;
    async fn list_assignments(
        &self,
        scope: ClientScope,
        query: &AssignmentListQuery,
        page: PageRequest,
    ) -> Result<Page<KpiAssignment>, DomainError>;
    async fn save_assignment(
        &self,
        assignment: &KpiAssignment,
        expected: i32,
        audit: &AuditRecord,
    ) -> Result<Option<KpiAssignment>, DomainError>;
    /// A client's assignments that are not cancelled, with their KPIs and types, for its
    /// summary.
    async fn client_assignments(
        &self,
        client: ClientId,
    ) -> Result<Vec<(KpiAssignment, Kpi, Option<KpiType>)>, DomainError>;

    /// An assignment's measurements in period order.
    async fn measurements(&self, assignment: AssignmentId) -> Result<Vec<Measurement>, DomainError>;
    /// The measurements of several assignments, in period order.
    async fn measurements_of(&self, assignments: &[AssignmentId]) -> Result<Vec<Measurement>, DomainError>;
    async fn get_measurement(&self, id: MeasurementId) -> Result<Option<Measurement>, DomainError>;
    /// An overlapping period of the same assignment is a conflict on `period_start`.
    async fn insert_measurement(
        &self,
        measurement: &OwnedMeasurement,
        audit: &AuditRecord,
    ) -> Result<Measurement, DomainError>;
    async fn save_measurement(
        &self,
        measurement: &OwnedMeasurement,
        expected: i32,
        audit: &AuditRecord,
    ) -> Result<Option<Measurement>, DomainError>;
    async fn delete_measurement(&self, id: MeasurementId, audit: &AuditRecord) -> Result<bool, DomainError>;
}
