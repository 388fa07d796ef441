//! What the daily sweep does with a contract, decided from its terms and the organisation's
//! today: contracts past their end expire, or renew for one more period when they renew
//! themselves; contracts whose notice window has opened get their renewal notice once.

use time::Date;

use crate::billing::{notice_opens_on, one_more_period};
use crate::{Contract, ContractAction};

/// What the sweep does with one contract today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepMove {
    /// Past its end and not renewing itself: `expire`, effective the day after its end.
    Expire { effective_on: Date },
    /// Past its end and auto-renewing: `renew` to this end date, effective the day after the
    /// old end (cover continues without a gap).
    Renew { new_end: Date, effective_on: Date },
}

impl SweepMove {
    pub fn action(self) -> ContractAction {
        match self {
            SweepMove::Expire { .. } => ContractAction::Expire,
            SweepMove::Renew { .. } => ContractAction::Renew,
        }
    }
}

/// The sweep's move for `contract` on `today`, if any: only in-force contracts whose last day
/// is before today move.
pub fn sweep_move(contract: &Contract, today: Date) -> Option<SweepMove> {
    if !contract.status.is_in_force() || contract.end_date >= today {
        return None;
    }
    let effective_on = contract.end_date.next_day().unwrap_or(contract.end_date);
    Some(if contract.auto_renew && contract.renewable {
        SweepMove::Renew { new_end: one_more_period(contract.start_date, contract.end_date), effective_on }
    } else {
        SweepMove::Expire { effective_on }
    })
}

/// Whether `contract` is in its notice window on `today`: in force, renewable, the window
/// open (at the renewal date, else notice days before the end) and the end not yet passed.
pub fn in_notice_window(contract: &Contract, today: Date) -> bool {
    contract.status.is_in_force()
        && contract.renewable
        && notice_opens_on(contract.end_date, contract.renewal_date, contract.renewal_notice_days) <= today
        && today <= contract.end_date
}

#[cfg(test)]
mod tests {
    use axis_kernel::{ClientId, Money};
    use time::macros::{date, datetime};

    use super::*;
    use crate::{BillingFrequency, BillingModel, ContractId, ContractStatus, PaymentStatus};

    fn contract(status: ContractStatus, auto_renew: bool) -> Contract {
        let at = datetime!(2026-01-01 0:00 UTC);
        Contract {
            id: ContractId::new(),
            client_id: ClientId::new(),
            number: "C-2026-00001".into(),
            title: "EAP".into(),
            description: None,
            start_date: date!(2026 - 01 - 01),
            end_date: date!(2026 - 12 - 31),
            renewal_date: None,
            status,
            scheduled_change: None,
            billing: Money::parse("100", "USD").expect("money"),
            billing_frequency: BillingFrequency::Monthly,
            billing_model: BillingModel::Fixed,
            covered_headcount: None,
            payment_status: PaymentStatus::Pending,
            payment_terms: None,
            last_billing_date: None,
            next_billing_date: None,
            renewable: true,
            auto_renew,
            renewal_notice_days: 30,
            signed_by: None,
            signed_at: None,
            termination_reason: None,
            termination_effective_on: None,
            notes: None,
            notice_sent_for: None,
            version: 1,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    #[test]
    fn in_force_contracts_past_their_end_expire_or_renew_themselves() {
        let last_day = date!(2026 - 12 - 31);
        let day_after = date!(2027 - 01 - 01);
        assert_eq!(sweep_move(&contract(ContractStatus::Active, false), last_day), None, "its last day");
        assert_eq!(
            sweep_move(&contract(ContractStatus::Active, false), day_after),
            Some(SweepMove::Expire { effective_on: day_after })
        );
        assert_eq!(
            sweep_move(&contract(ContractStatus::Renewed, true), day_after),
            Some(SweepMove::Renew { new_end: date!(2027 - 12 - 31), effective_on: day_after })
        );
        for status in [ContractStatus::Suspended, ContractStatus::Draft, ContractStatus::Terminated] {
            assert_eq!(sweep_move(&contract(status, false), day_after), None, "{status} stays");
        }
    }

    #[test]
    fn the_notice_window_opens_thirty_days_before_the_end_by_default() {
        let active = contract(ContractStatus::Active, false);
        assert!(!in_notice_window(&active, date!(2026 - 11 - 30)));
        assert!(in_notice_window(&active, date!(2026 - 12 - 01)));
        assert!(in_notice_window(&active, date!(2026 - 12 - 31)));
        assert!(!in_notice_window(&active, date!(2027 - 01 - 01)), "ended");
        let early = Contract { renewal_date: Some(date!(2026 - 10 - 01)), ..active.clone() };
        assert!(in_notice_window(&early, date!(2026 - 10 - 01)));
        let not_renewable = Contract { renewable: false, ..active };
        assert!(!in_notice_window(&not_renewable, date!(2026 - 12 - 15)));
    }
}
