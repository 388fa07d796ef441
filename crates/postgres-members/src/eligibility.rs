//! The facts of eligibility answers on PostgreSQL: finding the people a question names (in the
//! actor's scope, like every read of members) and their facts — the people with their
//! histories and employer (`people.sql`), their employers' contracts with theirs
//! (`contracts.sql`, both calling the plpgsql functions of migration 000019) — in statements
//! sent together on one connection, whether one person is
//! asked about or five hundred. Questions by id or employee number read the facts with the
//! search (one round trip); only the facts of people the scoped search found are kept. People
//! named by full name are found first (the name is compared in Rust), then their facts read.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use axis_beneficiaries::eligibility::{
    BeneficiaryTimeline, ContractTerm, EligibilityFacts, Employer, Found, Lookup, PersonFacts, StaffTimeline,
    Who,
};
use axis_beneficiaries::{BeneficiaryStatus, MemberKind};
use axis_contracts::{ContractId, ContractStatus};
use axis_kernel::{ClientId, ClientScope, DomainError, StatusChange};
use axis_staff::{StaffId, StaffStatus};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Date as SqlDate, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use axis_postgres::Database;
use axis_postgres::error::{map_diesel, unexpected};
use axis_postgres::schema::{beneficiaries, member_profiles, staff};
use axis_postgres::sql_file::SqlFile;

diesel::define_sql_function! {
    /// `lower()` of a nullable text (an employee number): the unique index's expression.
    #[sql_name = "lower"]
    fn lower_or_null(x: Nullable<Text>) -> Nullable<Text>;
}

/// The eligibility facts port on PostgreSQL.
#[derive(Clone)]
pub struct PgEligibility {
    db: Database,
}

impl PgEligibility {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

/// A full name as lookups compare it: words separated by single spaces, lower case.
fn comparable_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// What the questions ask for, grouped so that each kind is one statement.
#[derive(Default)]
struct Asked {
    ids: Vec<Uuid>,
    number_clients: Vec<Uuid>,
    numbers: Vec<String>,
    name_clients: Vec<Uuid>,
    births: Vec<Date>,
}

impl Asked {
    fn of(questions: &[Who]) -> Self {
        let mut asked = Asked::default();
        for who in questions {
            match who {
                Who::Id(id) => asked.ids.push(*id),
                Who::EmployeeNumber { client, number } => {
                    asked.number_clients.push(client.0);
                    asked.numbers.push(number.to_lowercase());
                }
                Who::NameAndBirth { client, date_of_birth, .. } => {
                    asked.name_clients.push(client.0);
                    asked.births.push(*date_of_birth);
                }
            }
        }
        asked
    }
}

/// A candidate a statement found, with what the questions compare.
struct Candidate {
    found: Found,
    employee_number: Option<String>,
    full_name: Option<String>,
    date_of_birth: Option<Date>,
}

impl Candidate {
    fn answers(&self, who: &Who) -> bool {
        match who {
            Who::Id(id) => self.found.person == *id,
            Who::EmployeeNumber { client, number } => {
                self.found.kind == MemberKind::Staff
                    && self.found.client_id == *client
                    && self.employee_number.as_deref().map(str::to_lowercase) == Some(number.to_lowercase())
            }
            Who::NameAndBirth { client, full_name, date_of_birth } => {
                self.found.client_id == *client
                    && self.date_of_birth == Some(*date_of_birth)
                    && self.full_name.as_deref().map(comparable_name) == Some(comparable_name(full_name))
            }
        }
    }
}

fn staff_found(id: Uuid, client: Uuid) -> Found {
    Found { person: id, kind: MemberKind::Staff, staff_id: StaffId(id), client_id: ClientId(client) }
}

fn beneficiary_found(id: Uuid, staff: Uuid, client: Uuid) -> Found {
    Found { person: id, kind: MemberKind::Beneficiary, staff_id: StaffId(staff), client_id: ClientId(client) }
}

type StaffHit = (Uuid, Uuid, Option<String>, String, Option<Date>);
type BeneficiaryHit = (Uuid, Uuid, Uuid, String, Option<Date>);

/// The staff in scope (deleted ones too when asked) with what the questions compare.
fn staff_in(
    scope: ClientScope,
    include_deleted: bool,
) -> diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<staff::table, member_profiles::table>,
    diesel::pg::Pg,
> {
    let rows = staff::table
        .inner_join(member_profiles::table)
        .filter(staff::client_id.eq_any(super::live_clients_in(scope)))
        .into_boxed();
    if include_deleted { rows } else { rows.filter(staff::deleted_at.is_null()) }
}

fn beneficiaries_in(
    scope: ClientScope,
    include_deleted: bool,
) -> diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<beneficiaries::table, member_profiles::table>,
    diesel::pg::Pg,
> {
    let rows = beneficiaries::table
        .inner_join(member_profiles::table)
        .filter(beneficiaries::client_id.eq_any(super::live_clients_in(scope)))
        .into_boxed();
    if include_deleted { rows } else { rows.filter(beneficiaries::deleted_at.is_null()) }
}

const STAFF_HIT: (
    staff::id,
    staff::client_id,
    staff::employee_number,
    member_profiles::full_name,
    member_profiles::date_of_birth,
) = (
    staff::id,
    staff::client_id,
    staff::employee_number,
    member_profiles::full_name,
    member_profiles::date_of_birth,
);

const BENEFICIARY_HIT: (
    beneficiaries::id,
    beneficiaries::staff_id,
    beneficiaries::client_id,
    member_profiles::full_name,
    member_profiles::date_of_birth,
) = (
    beneficiaries::id,
    beneficiaries::staff_id,
    beneficiaries::client_id,
    member_profiles::full_name,
    member_profiles::date_of_birth,
);

async fn candidates(
    conn: &AsyncPgConnection,
    scope: ClientScope,
    include_deleted: bool,
    asked: &Asked,
) -> Result<Vec<Candidate>, DomainError> {
    let by_id = async {
        if asked.ids.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        // One id is asked with `=`, not `= ANY`: PostgreSQL then settles on one plan for the
        // prepared statement instead of planning it again for every array it is given.
        let (staff, beneficiaries) = match asked.ids.as_slice() {
            [one] => (
                staff_in(scope, include_deleted).filter(staff::id.eq(*one)),
                beneficiaries_in(scope, include_deleted).filter(beneficiaries::id.eq(*one)),
            ),
            many => (
                staff_in(scope, include_deleted).filter(staff::id.eq_any(many.to_vec())),
                beneficiaries_in(scope, include_deleted).filter(beneficiaries::id.eq_any(many.to_vec())),
            ),
        };
        let staff = staff.select(STAFF_HIT).load::<StaffHit>(&mut &*conn);
        let beneficiaries = beneficiaries.select(BENEFICIARY_HIT).load::<BeneficiaryHit>(&mut &*conn);
        futures_util::try_join!(staff, beneficiaries)
    };
    let by_number = async {
        if asked.numbers.is_empty() {
            return Ok(Vec::new());
        }
        // One number, like one id, is asked with `=` (see above).
        let staff = match (asked.number_clients.as_slice(), asked.numbers.as_slice()) {
            ([client], [number]) => staff_in(scope, include_deleted)
                .filter(staff::client_id.eq(*client))
                .filter(lower_or_null(staff::employee_number).eq(number.clone())),
            (clients, numbers) => staff_in(scope, include_deleted)
                .filter(staff::client_id.eq_any(clients.to_vec()))
                .filter(lower_or_null(staff::employee_number).eq_any(numbers.to_vec())),
        };
        staff.select(STAFF_HIT).load::<StaffHit>(&mut &*conn).await
    };
    let by_name = async {
        if asked.births.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let staff = staff_in(scope, include_deleted)
            .filter(staff::client_id.eq_any(asked.name_clients.clone()))
            .filter(member_profiles::date_of_birth.eq_any(asked.births.clone()))
            .select(STAFF_HIT)
            .load::<StaffHit>(&mut &*conn);
        let beneficiaries = beneficiaries_in(scope, include_deleted)
            .filter(beneficiaries::client_id.eq_any(asked.name_clients.clone()))
            .filter(member_profiles::date_of_birth.eq_any(asked.births.clone()))
            .select(BENEFICIARY_HIT)
            .load::<BeneficiaryHit>(&mut &*conn);
        futures_util::try_join!(staff, beneficiaries)
    };
    let ((staff_by_id, beneficiaries_by_id), staff_by_number, (staff_by_name, beneficiaries_by_name)) =
        futures_util::try_join!(by_id, by_number, by_name).map_err(map_diesel)?;
    let staff = staff_by_id.into_iter().chain(staff_by_number).chain(staff_by_name).map(
        |(id, client, number, name, birth)| Candidate {
            found: staff_found(id, client),
            employee_number: number,
            full_name: Some(name),
            date_of_birth: birth,
        },
    );
    let beneficiaries = beneficiaries_by_id.into_iter().chain(beneficiaries_by_name).map(
        |(id, staff, client, name, birth)| Candidate {
            found: beneficiary_found(id, staff, client),
            employee_number: None,
            full_name: Some(name),
            date_of_birth: birth,
        },
    );
    Ok(staff.chain(beneficiaries).collect())
}

#[derive(QueryableByName)]
struct PersonRow {
    #[diesel(sql_type = SqlUuid)]
    person: Uuid,
    #[diesel(sql_type = SqlUuid)]
    staff_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    client_id: Uuid,
    #[diesel(sql_type = Text)]
    staff_status: String,
    #[diesel(sql_type = SqlDate)]
    employment_start: Date,
    #[diesel(sql_type = Nullable<SqlDate>)]
    employment_end: Option<Date>,
    #[diesel(sql_type = Bool)]
    staff_deleted: bool,
    #[diesel(sql_type = Array<Text>)]
    staff_statuses: Vec<String>,
    #[diesel(sql_type = Array<SqlDate>)]
    staff_days: Vec<Date>,
    #[diesel(sql_type = Array<Timestamptz>)]
    staff_ats: Vec<OffsetDateTime>,
    #[diesel(sql_type = Bool)]
    client_active: bool,
    #[diesel(sql_type = Timestamptz)]
    client_created_at: OffsetDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    beneficiary_status: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    beneficiary_deleted: Option<bool>,
    #[diesel(sql_type = Array<Text>)]
    beneficiary_statuses: Vec<String>,
    #[diesel(sql_type = Array<SqlDate>)]
    beneficiary_days: Vec<Date>,
    #[diesel(sql_type = Array<Timestamptz>)]
    beneficiary_ats: Vec<OffsetDateTime>,
}

#[derive(QueryableByName)]
struct ContractRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    client_id: Uuid,
    #[diesel(sql_type = Text)]
    number: String,
    #[diesel(sql_type = SqlDate)]
    start_date: Date,
    #[diesel(sql_type = SqlDate)]
    end_date: Date,
    #[diesel(sql_type = Array<Text>)]
    statuses: Vec<String>,
    #[diesel(sql_type = Array<SqlDate>)]
    days: Vec<Date>,
    #[diesel(sql_type = Array<Timestamptz>)]
    ats: Vec<OffsetDateTime>,
}

fn parse<S: std::str::FromStr>(what: &str, text: &str) -> Result<S, DomainError> {
    text.parse().map_err(|_| unexpected(format!("{what} holds {text:?}")))
}

/// A history from its columns (as applied: eligibility reads every dated change, pending or not).
fn history<S: std::str::FromStr>(
    what: &str,
    statuses: &[String],
    days: &[Date],
    ats: &[OffsetDateTime],
) -> Result<Vec<StatusChange<S>>, DomainError> {
    statuses
        .iter()
        .zip(days)
        .zip(ats)
        .map(|((status, day), at)| {
            Ok(StatusChange {
                status: parse(what, status)?,
                effective_on: *day,
                at: *at,
                reason: None,
                pending: false,
            })
        })
        .collect()
}

fn contract_term(row: ContractRow) -> Result<(Uuid, ContractTerm), DomainError> {
    let history =
        history::<ContractStatus>("contract_status_changes.status", &row.statuses, &row.days, &row.ats)?;
    Ok((
        row.client_id,
        ContractTerm {
            id: ContractId(row.id),
            number: row.number,
            start_date: row.start_date,
            end_date: row.end_date,
            history,
        },
    ))
}

fn person_facts(
    row: PersonRow,
    contracts: &HashMap<Uuid, Vec<ContractTerm>>,
) -> Result<PersonFacts, DomainError> {
    let found = match &row.beneficiary_status {
        Some(_) => beneficiary_found(row.person, row.staff_id, row.client_id),
        None => staff_found(row.person, row.client_id),
    };
    let beneficiary = match row.beneficiary_status {
        Some(status) => Some(BeneficiaryTimeline {
            status: parse::<BeneficiaryStatus>("beneficiaries.status", &status)?,
            deleted: row.beneficiary_deleted.unwrap_or(false),
            history: history(
                "beneficiary_status_changes.status",
                &row.beneficiary_statuses,
                &row.beneficiary_days,
                &row.beneficiary_ats,
            )?,
        }),
        None => None,
    };
    Ok(PersonFacts {
        found,
        staff: StaffTimeline {
            status: parse::<StaffStatus>("staff.status", &row.staff_status)?,
            employment_start: row.employment_start,
            employment_end: row.employment_end,
            deleted: row.staff_deleted,
            history: history(
                "staff_status_changes.status",
                &row.staff_statuses,
                &row.staff_days,
                &row.staff_ats,
            )?,
        },
        beneficiary,
        employer: Employer { active: row.client_active, created_at: row.client_created_at },
        contracts: contracts.get(&row.client_id).cloned().unwrap_or_default(),
    })
}

/// The facts of the people named by id (`ids`) or by employee number (`number_clients` with
/// `numbers`, lower-cased), for days from `from` on, in two statements sent together on `conn`.
async fn facts_named(
    conn: &AsyncPgConnection,
    ids: &[Uuid],
    number_clients: &[Uuid],
    numbers: &[String],
    from: Date,
) -> Result<Vec<PersonFacts>, DomainError> {
    if ids.is_empty() && numbers.is_empty() {
        return Ok(Vec::new());
    }
    let rows = SqlFile::new(include_str!("eligibility/people.sql"))
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Array<SqlUuid>, _>(number_clients)
        .bind::<Array<Text>, _>(numbers)
        .load::<PersonRow>(&mut &*conn);
    let contract_rows = SqlFile::new(include_str!("eligibility/contracts.sql"))
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Array<SqlUuid>, _>(number_clients)
        .bind::<SqlDate, _>(from)
        .load::<ContractRow>(&mut &*conn);
    let (rows, contract_rows) = futures_util::try_join!(rows, contract_rows).map_err(map_diesel)?;
    let mut contracts: HashMap<Uuid, Vec<ContractTerm>> = HashMap::new();
    for row in contract_rows {
        let (client, term) = contract_term(row)?;
        contracts.entry(client).or_default().push(term);
    }
    rows.into_iter().map(|row| person_facts(row, &contracts)).collect()
}

#[async_trait]
impl EligibilityFacts for PgEligibility {
    async fn lookup(
        &self,
        scope: ClientScope,
        include_deleted: bool,
        asked: &[Who],
        from: Date,
    ) -> Result<Lookup, DomainError> {
        let conn = self.db.conn().await?;
        let questions = Asked::of(asked);
        let (found, mut facts) = futures_util::try_join!(
            candidates(&conn, scope, include_deleted, &questions),
            facts_named(&conn, &questions.ids, &questions.number_clients, &questions.numbers, from),
        )?;
        let matches: Vec<Vec<Found>> = asked
            .iter()
            .map(|who| {
                let mut matches: Vec<Found> =
                    found.iter().filter(|c| c.answers(who)).map(|c| c.found).collect();
                matches.sort_by_key(|f| f.person);
                matches.dedup();
                matches
            })
            .collect();
        // Only what the scoped search found: the facts were read for every id asked.
        let people: HashSet<Uuid> = matches.iter().flatten().map(|f| f.person).collect();
        facts.retain(|f| people.contains(&f.found.person));
        let mut seen: HashSet<Uuid> = HashSet::new();
        facts.retain(|f| seen.insert(f.found.person));
        // People found by name: their facts now that their ids are known.
        let by_name: Vec<Uuid> = people.iter().filter(|person| !seen.contains(person)).copied().collect();
        if !by_name.is_empty() {
            facts.extend(facts_named(&conn, &by_name, &[], &[], from).await?);
        }
        Ok(Lookup { matches, facts })
    }
}

#[cfg(test)]
mod tests {
    use super::comparable_name;

    #[test]
    fn names_compare_without_case_or_extra_spaces() {
        assert_eq!(comparable_name("  Amina   YUSUF "), "amina yusuf");
        assert_eq!(comparable_name("Élodie\tMartin"), "élodie martin");
    }
}
