//! A staff member's dependents ("beneficiaries"): their person data, relation and guardian,
//! a status whose every change is kept, and their link in the eligibility chain.

pub mod eligibility;
pub mod input;
pub mod jobs;
pub mod lifecycle;
pub mod model;
pub mod ports;
pub mod service;

pub use eligibility::{
    Answer, EligibilityFacts, EligibilityService, Found, Outcome, PersonFacts, Who, WhoFields,
};
pub use input::{ADULT_AGE, BeneficiaryDraft, BeneficiaryFields, needs_guardian};
pub use lifecycle::{BeneficiaryAction, LIFECYCLE};
pub use model::{
    Beneficiary, BeneficiaryId, BeneficiaryStatus, BeneficiaryStatusChange, Guardian, GuardianKind, Relation,
};
pub use ports::{BeneficiaryListQuery, BeneficiaryOrdering, BeneficiaryRepository};
pub use service::{BeneficiaryService, Family, MemberKind};
