//! A client's employees ("staff"): their person data, their employment and a status whose
//! every change is kept, and the eligibility chain every service asks first.

pub mod eligibility;
pub mod input;
pub mod lifecycle;
pub mod model;
pub mod ports;
pub mod service;

pub use eligibility::{IneligibleReason, StaffFacts, beneficiary_eligibility, staff_eligibility};
pub use input::{StaffDraft, StaffFields};
pub use lifecycle::{LIFECYCLE, StaffAction};
pub use model::{Leave, StaffId, StaffMember, StaffRole, StaffStatus, StaffStatusChange};
pub use ports::{StaffListQuery, StaffOrdering, StaffRepository};
pub use service::{Act, StaffDetail, StaffService};
