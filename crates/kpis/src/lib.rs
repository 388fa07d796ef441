//! KPIs: what a contract promises, measured. KPI types (with weights), KPIs (a unit, a target
//! and which way is better; global, or a client's, or a contract's), their assignment to a
//! contract (a target of its own, a lifecycle), and measurements per period, from which the
//! performance against target and its trend are computed.

pub mod input;
pub mod model;
pub mod performance;
pub mod ports;
pub mod service;

pub use input::{AssignmentFields, KpiFields, KpiTypeFields, MeasurementFields};
pub use model::{
    ASSIGNMENT_LIFECYCLE, AssignmentAction, AssignmentId, AssignmentStatus, Direction, Frequency, Kpi,
    KpiAssignment, KpiId, KpiType, KpiTypeId, Measurement, MeasurementId, UnitType,
};
pub use performance::{ClientKpiSummary, Performance, PerformancePeriod, SummaryRow, Trend, performance};
pub use ports::{AssignmentListQuery, KpiListQuery, KpiRepository};
pub use service::KpiService;
