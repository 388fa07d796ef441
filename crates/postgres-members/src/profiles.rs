//! The `member_profiles` row of a staff member or beneficiary (its id is theirs: one profile
//! each), and the lower-cased text their lists search.

use axis_kernel::person::EmergencyContact;
use axis_kernel::{DomainError, Profile};
use diesel::AsChangeset;
use diesel::prelude::{Insertable, QueryDsl, Queryable, Selectable, SelectableHelper};
use time::Date;
use uuid::Uuid;

use axis_postgres::error::unexpected;
use axis_postgres::schema::member_profiles;

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = member_profiles, treat_none_as_null = true)]
pub(super) struct ProfileRow {
    pub(super) id: Uuid,
    pub(super) full_name: String,
    pub(super) preferred_name: Option<String>,
    pub(super) date_of_birth: Option<Date>,
    pub(super) gender: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) email: Option<String>,
    pub(super) address: Option<String>,
    pub(super) preferred_language: Option<String>,
    pub(super) preferred_contact_method: Option<String>,
    pub(super) emergency_contact_name: Option<String>,
    pub(super) emergency_contact_relation: Option<String>,
    pub(super) emergency_contact_phone: Option<String>,
    pub(super) emergency_contact_email: Option<String>,
}

impl ProfileRow {
    pub(super) fn new(id: Uuid, p: &Profile) -> Self {
        Self {
            id,
            full_name: p.full_name.clone(),
            preferred_name: p.preferred_name.clone(),
            date_of_birth: p.date_of_birth,
            gender: p.gender.map(|g| g.as_str().to_owned()),
            phone: p.phone.clone(),
            email: p.email.clone(),
            address: p.address.clone(),
            preferred_language: p.preferred_language.clone(),
            preferred_contact_method: p.preferred_contact_method.map(|m| m.as_str().to_owned()),
            emergency_contact_name: p.emergency_contact.name.clone(),
            emergency_contact_relation: p.emergency_contact.relation.clone(),
            emergency_contact_phone: p.emergency_contact.phone.clone(),
            emergency_contact_email: p.emergency_contact.email.clone(),
        }
    }

    pub(super) fn into_profile(self) -> Result<Profile, DomainError> {
        let gender = self
            .gender
            .map(|g| g.parse())
            .transpose()
            .map_err(|_| unexpected("member_profiles.gender".into()))?;
        let method = self
            .preferred_contact_method
            .map(|m| m.parse())
            .transpose()
            .map_err(|_| unexpected("member_profiles.preferred_contact_method".into()))?;
        Ok(Profile {
            full_name: self.full_name,
            preferred_name: self.preferred_name,
            date_of_birth: self.date_of_birth,
            gender,
            phone: self.phone,
            email: self.email,
            address: self.address,
            preferred_language: self.preferred_language,
            preferred_contact_method: method,
            emergency_contact: EmergencyContact {
                name: self.emergency_contact_name,
                relation: self.emergency_contact_relation,
                phone: self.emergency_contact_phone,
                email: self.emergency_contact_email,
            },
        })
    }
}

/// Writes `profile` over the stored one (a member's save), answering it as stored.
pub(super) async fn save_profile(
    conn: &mut diesel_async::AsyncPgConnection,
    profile: &ProfileRow,
) -> diesel::QueryResult<ProfileRow> {
    use diesel_async::RunQueryDsl;
    diesel::update(member_profiles::table.find(profile.id))
        .set(profile)
        .returning(ProfileRow::as_returning())
        .get_result(conn)
        .await
}

diesel::define_sql_function! {
    /// What every role may search in a member list: name, preferred name and the employee
    /// number, lower-cased (migration 000016 holds the one definition; the import calls it too).
    fn member_search_text(
        full_name: diesel::sql_types::Text,
        preferred_name: diesel::sql_types::Nullable<diesel::sql_types::Text>,
        employee_number: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Text
}

diesel::define_sql_function! {
    /// What only roles that read contact data may search: e-mail and phone, lower-cased
    /// (migration 000016).
    fn member_contact_search_text(
        email: diesel::sql_types::Nullable<diesel::sql_types::Text>,
        phone: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Text
}

impl ProfileRow {
    /// What the searched columns are computed from: (name, preferred name, e-mail, phone).
    pub(super) fn searched(&self) -> (String, Option<String>, Option<String>, Option<String>) {
        (self.full_name.clone(), self.preferred_name.clone(), self.email.clone(), self.phone.clone())
    }
}
