//! Contracts between the organisation and its clients: terms, billing, and a lifecycle whose
//! every status change is kept, so "was this client covered on that day" has one answer.

pub mod billing;
pub mod coverage;
pub mod input;
pub mod jobs;
pub mod lifecycle;
pub mod model;
pub mod ports;
pub mod service;
pub mod sweep;

pub use coverage::{ContractCoverage, covers};
pub use input::{ContractDraft, ContractFields};
pub use lifecycle::{ContractAction, LIFECYCLE};
pub use model::{
    BillingFrequency, BillingModel, Contract, ContractId, ContractStatus, PaymentStatus, StatusChange,
};
pub use ports::{ContractListQuery, ContractOrdering, ContractRepository};
pub use service::{Act, ContractDetail, ContractService, SweepReport};
pub use sweep::{SweepMove, in_notice_window, sweep_move};
