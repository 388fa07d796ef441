//! Eligibility answers an agent can act on: whom the question is about (an id, an employee
//! number at a client, or a full name and date of birth at a client), whether they may be
//! served on a day, the first link of the chain that failed, and the deciding facts — the
//! contract that covers them, the last day of cover as things stand, and for a beneficiary
//! their staff member's own reason.
//!
//! The chain itself is `axis_staff::eligibility`; the facts come from one port so that one
//! question, or five hundred, costs the same few statements; every answer is on record as a
//! read of the person.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use axis_contracts::{ContractId, StatusChange as ContractChange, covers};
use axis_kernel::{
    Actor, AuditRecord, AuditTrail, ClientAccess, ClientAction, ClientGuard, ClientId, ClientScope, Clock,
    DomainError, FieldErrors, Role, audit::record_read, status_on,
};
use axis_staff::{IneligibleReason, StaffFacts, StaffId, StaffStatus, StaffStatusChange, staff_eligibility};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{BeneficiaryStatus, BeneficiaryStatusChange, MemberKind};

/// The most people one batch may ask about.
pub const BATCH_LIMIT: usize = 500;

/// How the person asked about is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A staff member's or a beneficiary's id.
    Id(Uuid),
    /// A staff member by their employee number at their employer (compared as stored: case
    /// does not matter).
    EmployeeNumber { client: ClientId, number: String },
    /// A staff member or a beneficiary by full name (case and spacing do not matter) and date
    /// of birth at a client.
    NameAndBirth { client: ClientId, full_name: String, date_of_birth: Date },
}

/// A question as sent: the fields that may name the person. Exactly one way must be used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WhoFields {
    pub person: Option<Uuid>,
    pub client: Option<ClientId>,
    pub employee_number: Option<String>,
    pub full_name: Option<String>,
    pub date_of_birth: Option<Date>,
}

impl WhoFields {
    /// The question these fields ask, or why they ask none (every problem recorded in
    /// `errors`, each field named as `<prefix><field>`).
    pub fn parse(self, errors: &mut FieldErrors, prefix: &str) -> Option<Who> {
        let field = |name: &str| format!("{prefix}{name}");
        let before = errors.len();
        let number =
            axis_kernel::input::identifier(errors, &field("employee_number"), self.employee_number, 100);
        let full_name = axis_kernel::input::name(errors, &field("full_name"), self.full_name, 255);
        let by_name = full_name.is_some() || self.date_of_birth.is_some();
        let ways = [self.person.is_some(), number.is_some(), by_name].iter().filter(|&&used| used).count();
        if ways == 0 {
            errors.add(
                field("person"),
                "is required, unless the person is named by employee_number and client, or by full_name, \
                 date_of_birth and client",
            );
        } else if ways > 1 {
            errors.add(
                field("person"),
                "name the person one way only: person, employee_number (with client), or full_name and \
                 date_of_birth (with client)",
            );
        }
        if self.person.is_some() && self.client.is_some() && ways == 1 {
            errors.add(field("client"), "is used only with employee_number or full_name");
        }
        if ways == 1 && self.person.is_none() && self.client.is_none() {
            errors.add(field("client"), "is required with employee_number or full_name");
        }
        if by_name && ways == 1 {
            if full_name.is_none() {
                errors.add(field("full_name"), "is required with date_of_birth");
            }
            if self.date_of_birth.is_none() {
                errors.add(field("date_of_birth"), "is required with full_name");
            }
        }
        if errors.len() > before {
            return None;
        }
        match (self.person, number, full_name, self.date_of_birth, self.client) {
            (Some(id), None, None, None, None) => Some(Who::Id(id)),
            (None, Some(number), None, None, Some(client)) => Some(Who::EmployeeNumber { client, number }),
            (None, None, Some(full_name), Some(date_of_birth), Some(client)) => {
                Some(Who::NameAndBirth { client, full_name, date_of_birth })
            }
            _ => None,
        }
    }
}

/// A person a lookup found, and whose chain answers for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub person: Uuid,
    pub kind: MemberKind,
    /// The staff member themselves, or the beneficiary's staff member.
    pub staff_id: StaffId,
    pub client_id: ClientId,
}

/// A status history with the status the record has today (what it had before its history
/// begins when the history is empty).
#[derive(Debug, Clone, PartialEq)]
pub struct StaffTimeline {
    pub status: StaffStatus,
    pub employment_start: Date,
    pub employment_end: Option<Date>,
    pub deleted: bool,
    pub history: Vec<StaffStatusChange>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BeneficiaryTimeline {
    pub status: BeneficiaryStatus,
    pub deleted: bool,
    pub history: Vec<BeneficiaryStatusChange>,
}

/// The employer as the chain sees it: active today (live and `active`), and since when it
/// exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Employer {
    pub active: bool,
    pub created_at: OffsetDateTime,
}

/// One of the employer's contracts with its status history.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractTerm {
    pub id: ContractId,
    pub number: String,
    pub start_date: Date,
    pub end_date: Date,
    pub history: Vec<ContractChange>,
}

/// Everything the chain reads about one person on and after a day.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFacts {
    pub found: Found,
    pub staff: StaffTimeline,
    /// For a beneficiary: their own timeline.
    pub beneficiary: Option<BeneficiaryTimeline>,
    pub employer: Employer,
    /// The employer's contracts that end on or after the day asked.
    pub contracts: Vec<ContractTerm>,
}

/// What a lookup found: for each question (in their order) the people it names, and the facts
/// of every person found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lookup {
    pub matches: Vec<Vec<Found>>,
    pub facts: Vec<PersonFacts>,
}

impl Lookup {
    fn facts_of(&self, person: Uuid) -> Option<&PersonFacts> {
        self.facts.iter().find(|facts| facts.found.person == person)
    }
}

/// Where the eligibility facts come from.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait EligibilityFacts: Send + Sync {
    /// For each of `asked`, the people it names among those of the clients in `scope` (live
    /// ones, and deleted ones too when `include_deleted`), with the facts of each of them for
    /// days from `from` on. Nothing about anyone outside `scope` may come back.
    async fn lookup(
        &self,
        scope: ClientScope,
        include_deleted: bool,
        asked: &[Who],
        from: Date,
    ) -> Result<Lookup, DomainError>;
}

/// The contract that covers a person on the day asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covering {
    pub id: ContractId,
    pub number: String,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub found: Found,
    pub date: Date,
    /// `Ok` when eligible, else the first failing link.
    pub result: Result<(), IneligibleReason>,
    /// A beneficiary refused as `staff_ineligible`: their staff member's own reason.
    pub cause: Option<IneligibleReason>,
    /// The employer's contract covering the day (also when another link fails).
    pub contract: Option<Covering>,
    /// The last day of an unbroken run of eligibility from the day asked, as things stand
    /// (changes already dated ahead included); `None` when not eligible.
    pub covered_until: Option<Date>,
}

/// What one question in a batch came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Answered(Box<Answer>),
    /// Nobody visible matches.
    NotFound,
    /// More than one person matches (nothing about them is told).
    Ambiguous,
}

/// The staff chain for these facts on `date`, and the contract covering it.
fn staff_on<'a>(
    facts: &'a PersonFacts,
    date: Date,
    clock: &dyn Clock,
) -> (Result<(), IneligibleReason>, Option<&'a ContractTerm>) {
    let covering = facts.contracts.iter().find(|c| covers(c.start_date, c.end_date, &c.history, date));
    if facts.staff.deleted {
        return (Err(IneligibleReason::PersonInactive), covering);
    }
    let staff = &facts.staff;
    // Before the history begins the member had the status they were created with.
    let status_on_date = status_on(&staff.history, date)
        .or_else(|| staff.history.first().map(|c| c.status))
        .unwrap_or(staff.status);
    let day_ends = clock.start_of_day(date.next_day().unwrap_or(date));
    let chain = StaffFacts {
        status_on_date,
        employment_start: staff.employment_start,
        employment_end: staff.employment_end,
        // A client that did not exist yet on the day was not active on it. It existed once its
        // record was made, or on a day one of its contracts covers (a client entered with its
        // past contracts).
        client_active: facts.employer.active && (facts.employer.created_at < day_ends || covering.is_some()),
        contract_covers: covering.is_some(),
    };
    (staff_eligibility(chain, date), covering)
}

/// The beneficiary's own link on `date`: active and not deleted.
fn beneficiary_active_on(timeline: &BeneficiaryTimeline, date: Date) -> bool {
    let status = status_on(&timeline.history, date)
        .or_else(|| timeline.history.first().map(|c| c.status))
        .unwrap_or(timeline.status);
    !timeline.deleted && status == BeneficiaryStatus::Active
}

/// The whole chain on `date`: the result, the staff member's own reason behind a beneficiary's
/// `staff_ineligible`, and the covering contract.
fn chain_on<'a>(
    facts: &'a PersonFacts,
    date: Date,
    clock: &dyn Clock,
) -> (Result<(), IneligibleReason>, Option<IneligibleReason>, Option<&'a ContractTerm>) {
    let (staff, covering) = staff_on(facts, date, clock);
    match &facts.beneficiary {
        None => (staff, None, covering),
        Some(timeline) => {
            let result = axis_staff::beneficiary_eligibility(beneficiary_active_on(timeline, date), staff);
            let cause = match result {
                Err(IneligibleReason::StaffIneligible) => staff.err(),
                _ => None,
            };
            (result, cause, covering)
        }
    }
}

/// The days after `date` on which the answer can change: each dated change, the day after
/// employment ends, each contract's first day and the day after its last.
fn turning_points(facts: &PersonFacts, date: Date) -> Vec<Date> {
    let mut days: Vec<Date> = facts.staff.history.iter().map(|c| c.effective_on).collect();
    days.extend(facts.staff.employment_end.and_then(Date::next_day));
    if let Some(timeline) = &facts.beneficiary {
        days.extend(timeline.history.iter().map(|c| c.effective_on));
    }
    for contract in &facts.contracts {
        days.push(contract.start_date);
        days.extend(contract.end_date.next_day());
        days.extend(contract.history.iter().map(|c| c.effective_on));
    }
    days.retain(|day| *day > date);
    days.sort_unstable();
    days.dedup();
    days
}

/// The answer for `facts` on `date`.
pub fn answer(facts: &PersonFacts, date: Date, clock: &dyn Clock) -> Answer {
    let (result, cause, covering) = chain_on(facts, date, clock);
    let covered_until = match result {
        Err(_) => None,
        // Eligible: the run lasts until the first turning point that ends it.
        Ok(()) => turning_points(facts, date)
            .into_iter()
            .find(|day| chain_on(facts, *day, clock).0.is_err())
            .and_then(Date::previous_day),
    };
    Answer {
        found: facts.found,
        date,
        result,
        cause,
        contract: covering.map(|c| Covering { id: c.id, number: c.number.clone() }),
        covered_until,
    }
}

/// The eligibility questions: one person, or a batch, each answer on record as a read.
pub struct EligibilityService {
    facts: Arc<dyn EligibilityFacts>,
    guard: ClientGuard,
    trail: Arc<dyn AuditTrail>,
    clock: Arc<dyn Clock>,
}

impl EligibilityService {
    pub fn new(
        facts: Arc<dyn EligibilityFacts>,
        access: Arc<dyn ClientAccess>,
        trail: Arc<dyn AuditTrail>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { facts, guard: ClientGuard::new(access), trail, clock }
    }

    /// Is the person `who` names eligible on `date`? `NotFound` when nobody visible matches,
    /// `Conflict` when several do (without telling who). The answer is on record as a read of
    /// the person (their id its entity) before it is given.
    pub async fn one(&self, actor: &Actor, who: Who, date: Date) -> Result<Answer, DomainError> {
        if let Who::NameAndBirth { client, .. } = &who {
            // The client named first (404 out of scope), then the role, as for any client route.
            self.guard.require(actor, *client, ClientAction::Review).await?;
        }
        let found = self.facts.lookup(actor.client_scope(), sees_deleted(actor), &[who], date).await?;
        let person = match found.matches.first().map(Vec::as_slice).unwrap_or_default() {
            [] => return Err(DomainError::NotFound),
            [person] => *person,
            _ => return Err(ambiguous()),
        };
        let facts = found.facts_of(person.person).ok_or(DomainError::NotFound)?;
        let entity = match person.kind {
            MemberKind::Staff => "staff",
            MemberKind::Beneficiary => "beneficiary",
        };
        let record = AuditRecord::read(actor, entity, vec![person.person.to_string()], self.clock.now())
            .with_detail("eligibility_on", date.to_string());
        record_read(self.trail.as_ref(), &record).await?;
        Ok(answer(facts, date, self.clock.as_ref()))
    }

    /// Up to [`BATCH_LIMIT`] questions about one day, answered in their order; one record of
    /// the read names everyone answered about.
    pub async fn batch(
        &self,
        actor: &Actor,
        asked: Vec<Who>,
        date: Date,
    ) -> Result<Vec<Outcome>, DomainError> {
        if asked.is_empty() || asked.len() > BATCH_LIMIT {
            return Err(FieldErrors::single(
                "people",
                format!("must hold between 1 and {BATCH_LIMIT} people"),
            )
            .into());
        }
        may_ask(actor, &asked)?;
        let found = self.facts.lookup(actor.client_scope(), sees_deleted(actor), &asked, date).await?;
        let outcomes: Vec<Outcome> = found
            .matches
            .iter()
            .map(|matches| match matches.as_slice() {
                [] => Outcome::NotFound,
                [one] => match found.facts_of(one.person) {
                    Some(facts) => Outcome::Answered(Box::new(answer(facts, date, self.clock.as_ref()))),
                    None => Outcome::NotFound,
                },
                _ => Outcome::Ambiguous,
            })
            .collect();
        // One record naming everyone answered about (each once), before any answer goes out.
        let mut staff = BTreeSet::new();
        let mut beneficiaries = BTreeSet::new();
        for outcome in &outcomes {
            if let Outcome::Answered(answer) = outcome {
                let ids =
                    if answer.found.kind == MemberKind::Staff { &mut staff } else { &mut beneficiaries };
                ids.insert(answer.found.person.to_string());
            }
        }
        if !staff.is_empty() || !beneficiaries.is_empty() {
            let record = AuditRecord::new(actor, "eligibility.read", "eligibility", None, self.clock.now())
                .with_detail("eligibility_on", date.to_string())
                .with_detail("staff_ids", staff.into_iter().collect::<Vec<_>>())
                .with_detail("beneficiary_ids", beneficiaries.into_iter().collect::<Vec<_>>());
            record_read(self.trail.as_ref(), &record).await?;
        }
        Ok(outcomes)
    }
}

/// What a role may not read it may not look people up by: a date of birth is contact data,
/// which viewers do not see, so looking people up by one takes `Review` (analysts and up).
fn may_ask(actor: &Actor, asked: &[Who]) -> Result<(), DomainError> {
    if asked.iter().any(|who| matches!(who, Who::NameAndBirth { .. })) {
        ClientAction::Review.require(actor)?;
    }
    Ok(())
}

/// Deleted members exist only for admins (as everywhere else).
fn sees_deleted(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

fn ambiguous() -> DomainError {
    DomainError::conflict("more than one person matches: ask by id or by employee number")
}

#[cfg(test)]
mod tests;
