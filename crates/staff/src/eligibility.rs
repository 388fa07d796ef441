//! The eligibility chain every service asks first: on date D a staff member is eligible when,
//! in this order, their status on D allows service, D lies in their employment period, their
//! employer is active, and an in-force contract of the employer covers D. A beneficiary is
//! eligible when their own status on D is active and their staff member is eligible on D.
//! The first failing link is the answer's reason. The SQL behind the lists' `eligible_on`
//! filter runs the same rule; the adapter's tests run both over one case table.

use time::Date;

use crate::StaffStatus;

axis_kernel::string_enum! {
    /// The first link of the chain that failed.
    pub enum IneligibleReason {
        /// The person's own status on the date does not allow service.
        PersonInactive => "person_inactive",
        EmploymentNotStarted => "employment_not_started",
        EmploymentEnded => "employment_ended",
        /// The employer client is not active.
        ClientInactive => "client_inactive",
        /// No in-force contract of the employer covers the date.
        NoContractCoverage => "no_contract_coverage",
        /// A beneficiary whose staff member is not eligible on the date.
        StaffIneligible => "staff_ineligible",
        /// A beneficiary whose own status on the date is not active.
        BeneficiaryInactive => "beneficiary_inactive",
    }
}

/// What the staff chain looks at for one member and one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffFacts {
    /// From the status history.
    pub status_on_date: StaffStatus,
    pub employment_start: Date,
    pub employment_end: Option<Date>,
    pub client_active: bool,
    pub contract_covers: bool,
}

/// The staff chain on `date`: `Ok` when eligible, else the first failing link.
pub fn staff_eligibility(facts: StaffFacts, date: Date) -> Result<(), IneligibleReason> {
    if !facts.status_on_date.allows_service() {
        return Err(IneligibleReason::PersonInactive);
    }
    if date < facts.employment_start {
        return Err(IneligibleReason::EmploymentNotStarted);
    }
    if facts.employment_end.is_some_and(|end| date > end) {
        return Err(IneligibleReason::EmploymentEnded);
    }
    if !facts.client_active {
        return Err(IneligibleReason::ClientInactive);
    }
    if !facts.contract_covers {
        return Err(IneligibleReason::NoContractCoverage);
    }
    Ok(())
}

/// The beneficiary chain: their own status first, then their staff member's answer.
pub fn beneficiary_eligibility(
    active_on_date: bool,
    staff: Result<(), IneligibleReason>,
) -> Result<(), IneligibleReason> {
    if !active_on_date {
        return Err(IneligibleReason::BeneficiaryInactive);
    }
    staff.map_err(|_| IneligibleReason::StaffIneligible)
}

/// One row of the shared case table: facts, the date asked, the expected answer.
pub type EligibilityCase = (&'static str, StaffFacts, Date, Result<(), IneligibleReason>);

/// The staff cases the domain tests and the SQL tests both run: one per reason, the boundary
/// days of the employment period, and the order of the links when several fail.
pub fn staff_cases() -> Vec<EligibilityCase> {
    use IneligibleReason::*;
    use time::macros::date;
    let base = StaffFacts {
        status_on_date: StaffStatus::Active,
        employment_start: date!(2025 - 01 - 01),
        employment_end: Some(date!(2026 - 12 - 31)),
        client_active: true,
        contract_covers: true,
    };
    let d = date!(2026 - 06 - 15);
    vec![
        ("eligible", base, d, Ok(())),
        ("on leave is served", StaffFacts { status_on_date: StaffStatus::OnLeave, ..base }, d, Ok(())),
        ("inactive", StaffFacts { status_on_date: StaffStatus::Inactive, ..base }, d, Err(PersonInactive)),
        ("suspended", StaffFacts { status_on_date: StaffStatus::Suspended, ..base }, d, Err(PersonInactive)),
        (
            "terminated",
            StaffFacts { status_on_date: StaffStatus::Terminated, ..base },
            d,
            Err(PersonInactive),
        ),
        ("resigned", StaffFacts { status_on_date: StaffStatus::Resigned, ..base }, d, Err(PersonInactive)),
        ("the day before the start", base, date!(2024 - 12 - 31), Err(EmploymentNotStarted)),
        ("the first day", base, date!(2025 - 01 - 01), Ok(())),
        ("the last day", base, date!(2026 - 12 - 31), Ok(())),
        ("the day after the end", base, date!(2027 - 01 - 01), Err(EmploymentEnded)),
        ("no end date", StaffFacts { employment_end: None, ..base }, date!(2030 - 01 - 01), Ok(())),
        ("client inactive", StaffFacts { client_active: false, ..base }, d, Err(ClientInactive)),
        ("no contract", StaffFacts { contract_covers: false, ..base }, d, Err(NoContractCoverage)),
        (
            "status before the period",
            StaffFacts { status_on_date: StaffStatus::Inactive, client_active: false, ..base },
            date!(2024 - 01 - 01),
            Err(PersonInactive),
        ),
        (
            "the period before the client",
            StaffFacts { client_active: false, contract_covers: false, ..base },
            date!(2027 - 02 - 01),
            Err(EmploymentEnded),
        ),
        (
            "the client before the contract",
            StaffFacts { client_active: false, contract_covers: false, ..base },
            d,
            Err(ClientInactive),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staff_case_table() {
        for (name, facts, date, expected) in staff_cases() {
            assert_eq!(staff_eligibility(facts, date), expected, "{name}");
        }
    }

    #[test]
    fn every_staff_reason_has_a_case() {
        let reasons: Vec<_> =
            staff_cases().into_iter().filter_map(|(_, _, _, answer)| answer.err()).collect();
        for reason in [
            IneligibleReason::PersonInactive,
            IneligibleReason::EmploymentNotStarted,
            IneligibleReason::EmploymentEnded,
            IneligibleReason::ClientInactive,
            IneligibleReason::NoContractCoverage,
        ] {
            assert!(reasons.contains(&reason), "{reason}");
        }
    }

    #[test]
    fn a_beneficiary_is_asked_about_themselves_first_then_their_staff_member() {
        use IneligibleReason::*;
        assert_eq!(beneficiary_eligibility(true, Ok(())), Ok(()));
        assert_eq!(beneficiary_eligibility(false, Ok(())), Err(BeneficiaryInactive));
        assert_eq!(beneficiary_eligibility(false, Err(ClientInactive)), Err(BeneficiaryInactive));
        for reason in [PersonInactive, EmploymentEnded, ClientInactive, NoContractCoverage] {
            assert_eq!(beneficiary_eligibility(true, Err(reason)), Err(StaffIneligible), "{reason}");
        }
    }
}
