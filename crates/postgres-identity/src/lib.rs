//! Users, profiles, sessions and login throttling on PostgreSQL.

use async_trait::async_trait;
use axis_identity::ports::RefreshLookup;
use axis_identity::throttle::{Counter, Subject, SubjectKind, ThrottlePolicy};
use axis_identity::{
    AuthzState, LoginThrottle, Profile, RefreshTokenHash, RevokeReason, Session, SessionRepository, User,
    UserFilter, UserRepository, UserStats, UserStatus,
};
use axis_kernel::{AuditRecord, DomainError, Email, Page, PageRequest, Role, SessionId, UserId};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use axis_postgres::Database;
use axis_postgres::audited::{audited, audited_if};
use axis_postgres::error::{Constraint, register_constraints};
use axis_postgres::error::{TxError, map_diesel, unexpected};
use axis_postgres::like_pattern;
use axis_postgres::schema::{auth_sessions, login_throttle, profiles, refresh_tokens, users};

/// The constraints of the identity tables users can run into.
const CONSTRAINTS: &[Constraint] =
    &[Constraint { name: "users_email_key", field: "email", message: "is already used by another user" }];

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: Uuid,
    email: String,
    first_name: String,
    last_name: String,
    status: String,
    role: String,
    last_login_at: Option<OffsetDateTime>,
    authz_ver: i32,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

fn parse_role(value: &str) -> Result<Role, DomainError> {
    value.parse().map_err(|_| unexpected(format!("unknown role {value:?} in users")))
}

fn parse_status(value: &str) -> Result<UserStatus, DomainError> {
    value.parse().map_err(|_| unexpected(format!("unknown status {value:?} in users")))
}

fn parse_email(value: &str) -> Result<Email, DomainError> {
    Email::parse(value).map_err(|_| unexpected("malformed e-mail in users".to_owned()))
}

impl TryFrom<UserRow> for User {
    type Error = DomainError;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        Ok(User {
            id: UserId(row.id),
            email: parse_email(&row.email)?,
            first_name: row.first_name,
            last_name: row.last_name,
            status: parse_status(&row.status)?,
            role: parse_role(&row.role)?,
            last_login_at: row.last_login_at,
            authz_ver: row.authz_ver,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = profiles, treat_none_as_null = true, treat_none_as_default_value = false)]
struct ProfileRow {
    user_id: Uuid,
    full_name: String,
    phone: Option<String>,
    image_url: Option<String>,
    bio: Option<String>,
    date_of_birth: Option<Date>,
    gender: Option<String>,
    language: String,
    timezone: String,
    updated_at: OffsetDateTime,
}

impl From<ProfileRow> for Profile {
    fn from(row: ProfileRow) -> Self {
        Profile {
            user_id: UserId(row.user_id),
            full_name: row.full_name,
            phone: row.phone,
            image_url: row.image_url,
            bio: row.bio,
            date_of_birth: row.date_of_birth,
            gender: row.gender,
            language: row.language,
            timezone: row.timezone,
            updated_at: row.updated_at,
        }
    }
}

impl From<&Profile> for ProfileRow {
    fn from(p: &Profile) -> Self {
        ProfileRow {
            user_id: p.user_id.0,
            full_name: p.full_name.clone(),
            phone: p.phone.clone(),
            image_url: p.image_url.clone(),
            bio: p.bio.clone(),
            date_of_birth: p.date_of_birth,
            gender: p.gender.clone(),
            language: p.language.clone(),
            timezone: p.timezone.clone(),
            updated_at: p.updated_at,
        }
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = auth_sessions, treat_none_as_default_value = false)]
struct SessionRow {
    id: Uuid,
    user_id: Uuid,
    created_at: OffsetDateTime,
    last_used_at: OffsetDateTime,
    idle_expires_at: OffsetDateTime,
    absolute_expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
    revoked_reason: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
}

impl TryFrom<SessionRow> for Session {
    type Error = DomainError;

    fn try_from(row: SessionRow) -> Result<Self, Self::Error> {
        let revoked_reason = match row.revoked_reason.as_deref() {
            None => None,
            Some(value) => Some(
                value
                    .parse::<RevokeReason>()
                    .map_err(|_| unexpected(format!("unknown revoke reason {value:?}")))?,
            ),
        };
        Ok(Session {
            id: SessionId(row.id),
            user_id: UserId(row.user_id),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            idle_expires_at: row.idle_expires_at,
            absolute_expires_at: row.absolute_expires_at,
            revoked_at: row.revoked_at,
            revoked_reason,
            ip: row.ip,
            user_agent: row.user_agent,
        })
    }
}

impl From<&Session> for SessionRow {
    fn from(s: &Session) -> Self {
        SessionRow {
            id: s.id.0,
            user_id: s.user_id.0,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            idle_expires_at: s.idle_expires_at,
            absolute_expires_at: s.absolute_expires_at,
            revoked_at: s.revoked_at,
            revoked_reason: s.revoked_reason.map(|r| r.as_str().to_owned()),
            ip: s.ip.clone(),
            user_agent: s.user_agent.clone(),
        }
    }
}

#[derive(Clone)]
pub struct PgUsers {
    db: Database,
}

impl PgUsers {
    pub fn new(db: Database) -> Self {
        register_constraints(CONSTRAINTS);
        Self { db }
    }
}

fn filtered_users(filter: &UserFilter) -> users::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = users::table.into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(users::status.eq(status.as_str()));
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = like_pattern(search);
        query = query.filter(
            users::email
                .ilike(pattern.clone())
                .or(users::first_name.ilike(pattern.clone()))
                .or(users::last_name.ilike(pattern)),
        );
    }
    query
}

#[async_trait]
impl UserRepository for PgUsers {
    async fn get(&self, id: UserId) -> Result<Option<User>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<UserRow> = users::table
            .find(id.0)
            .select(UserRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(User::try_from).transpose()
    }

    async fn get_profile(&self, id: UserId) -> Result<Option<Profile>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ProfileRow> = profiles::table
            .find(id.0)
            .select(ProfileRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        Ok(row.map(Profile::from))
    }

    async fn find_credentials(&self, email: &Email) -> Result<Option<(User, Option<String>)>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<(UserRow, Option<String>)> = users::table
            .filter(users::email.eq(email.as_str()))
            .select((UserRow::as_select(), users::password_hash))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(|(user, hash)| Ok((User::try_from(user)?, hash))).transpose()
    }

    async fn list(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, DomainError> {
        let mut conn = self.db.conn().await?;
        let total: i64 = filtered_users(filter).count().get_result(&mut *conn).await.map_err(map_diesel)?;
        let rows: Vec<UserRow> = filtered_users(filter)
            .select(UserRow::as_select())
            .order((users::created_at.desc(), users::id.desc()))
            .limit(i64::from(page.limit()))
            .offset(page.offset() as i64)
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let items = rows.into_iter().map(User::try_from).collect::<Result<_, _>>()?;
        Ok(Page::new(items, total.unsigned_abs(), page))
    }

    async fn stats(&self) -> Result<UserStats, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<(String, String, i64)> = users::table
            .group_by((users::role, users::status))
            .select((users::role, users::status, count_star()))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let now = OffsetDateTime::now_utc();
        let live_sessions: i64 = auth_sessions::table
            .filter(auth_sessions::revoked_at.is_null())
            .filter(auth_sessions::idle_expires_at.gt(now))
            .filter(auth_sessions::absolute_expires_at.gt(now))
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let mut stats = UserStats { live_sessions: live_sessions.unsigned_abs(), ..Default::default() };
        for role in Role::ALL {
            let count =
                rows.iter().filter(|(r, _, _)| r == role.as_str()).map(|(_, _, n)| n.unsigned_abs()).sum();
            stats.by_role.push((*role, count));
        }
        stats.total = rows.iter().map(|(_, _, n)| n.unsigned_abs()).sum();
        stats.active = rows
            .iter()
            .filter(|(_, status, _)| status == UserStatus::Active.as_str())
            .map(|(_, _, n)| n.unsigned_abs())
            .sum();
        Ok(stats)
    }

    async fn count_active_admins(&self) -> Result<u64, DomainError> {
        let mut conn = self.db.conn().await?;
        let count: i64 = users::table
            .filter(users::role.eq(Role::Admin.as_str()))
            .filter(users::status.eq(UserStatus::Active.as_str()))
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(count.unsigned_abs())
    }

    async fn create(
        &self,
        user: &User,
        password_hash: Option<String>,
        profile: &Profile,
        audit: AuditRecord,
    ) -> Result<(), DomainError> {
        let profile = ProfileRow::from(profile);
        audited(&self.db, &audit, async |conn| {
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(user.id.0),
                    users::email.eq(user.email.as_str()),
                    users::first_name.eq(&user.first_name),
                    users::last_name.eq(&user.last_name),
                    users::status.eq(user.status.as_str()),
                    users::role.eq(user.role.as_str()),
                    users::password_hash.eq(&password_hash),
                    users::authz_ver.eq(user.authz_ver),
                    users::version.eq(user.version),
                    users::created_at.eq(user.created_at),
                    users::updated_at.eq(user.updated_at),
                ))
                .execute(conn)
                .await?;
            diesel::insert_into(profiles::table).values(&profile).execute(conn).await?;
            Ok(())
        })
        .await
    }

    async fn update(
        &self,
        user: &User,
        expected_version: i32,
        end_sessions: bool,
        audit: AuditRecord,
    ) -> Result<User, DomainError> {
        audited(&self.db, &audit, async |conn| {
            let row: Option<UserRow> =
                diesel::update(users::table.find(user.id.0).filter(users::version.eq(expected_version)))
                    .set((
                        users::first_name.eq(&user.first_name),
                        users::last_name.eq(&user.last_name),
                        users::role.eq(user.role.as_str()),
                        users::status.eq(user.status.as_str()),
                        users::authz_ver.eq(user.authz_ver),
                        users::version.eq(users::version + 1),
                        users::updated_at.eq(user.updated_at),
                    ))
                    .returning(UserRow::as_returning())
                    .get_result(conn)
                    .await
                    .optional()?;
            let Some(row) = row else {
                let exists: i64 = users::table.find(user.id.0).count().get_result(conn).await?;
                let error = if exists == 0 { DomainError::NotFound } else { DomainError::VersionMismatch };
                return Err(TxError::Repo(error));
            };
            if end_sessions {
                diesel::update(
                    auth_sessions::table
                        .filter(auth_sessions::user_id.eq(user.id.0))
                        .filter(auth_sessions::revoked_at.is_null()),
                )
                .set((
                    auth_sessions::revoked_at.eq(user.updated_at),
                    auth_sessions::revoked_reason.eq(RevokeReason::UserDisabled.as_str()),
                ))
                .execute(conn)
                .await?;
            }
            Ok(User::try_from(row)?)
        })
        .await
    }

    async fn set_password(
        &self,
        id: UserId,
        password_hash: String,
        audit: AuditRecord,
    ) -> Result<(), DomainError> {
        audited(&self.db, &audit, async |conn| {
            let changed = diesel::update(users::table.find(id.0))
                .set(users::password_hash.eq(&password_hash))
                .execute(conn)
                .await?;
            if changed == 0 {
                return Err(TxError::Repo(DomainError::NotFound));
            }
            Ok(())
        })
        .await
    }

    async fn update_profile(
        &self,
        user: &User,
        profile: &Profile,
        audit: AuditRecord,
    ) -> Result<(), DomainError> {
        let row = ProfileRow::from(profile);
        audited(&self.db, &audit, async |conn| {
            diesel::update(users::table.find(user.id.0))
                .set((
                    users::first_name.eq(&user.first_name),
                    users::last_name.eq(&user.last_name),
                    users::version.eq(users::version + 1),
                    users::updated_at.eq(user.updated_at),
                ))
                .execute(conn)
                .await?;
            diesel::update(profiles::table.find(user.id.0)).set(&row).execute(conn).await?;
            Ok(())
        })
        .await
    }
}

#[derive(Clone)]
pub struct PgSessions {
    db: Database,
}

impl PgSessions {
    pub fn new(db: Database) -> Self {
        register_constraints(CONSTRAINTS);
        Self { db }
    }
}

#[async_trait]
impl SessionRepository for PgSessions {
    async fn start(
        &self,
        session: &Session,
        refresh: RefreshTokenHash,
        clear_throttle: &[String],
        audit: AuditRecord,
    ) -> Result<(), DomainError> {
        let row = SessionRow::from(session);
        audited(&self.db, &audit, async |conn| {
            diesel::insert_into(auth_sessions::table).values(&row).execute(conn).await?;
            diesel::insert_into(refresh_tokens::table)
                .values((
                    refresh_tokens::token_hash.eq(refresh.0.to_vec()),
                    refresh_tokens::session_id.eq(session.id.0),
                    refresh_tokens::issued_at.eq(session.created_at),
                ))
                .execute(conn)
                .await?;
            diesel::update(users::table.find(session.user_id.0))
                .set(users::last_login_at.eq(session.created_at))
                .execute(conn)
                .await?;
            diesel::delete(login_throttle::table.filter(login_throttle::subject.eq_any(clear_throttle)))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await
    }

    async fn find_by_refresh(&self, hash: RefreshTokenHash) -> Result<Option<RefreshLookup>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<(SessionRow, Option<OffsetDateTime>)> = refresh_tokens::table
            .inner_join(auth_sessions::table)
            .filter(refresh_tokens::token_hash.eq(hash.0.to_vec()))
            .select((SessionRow::as_select(), refresh_tokens::used_at))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(|(session, used_at)| Ok(RefreshLookup { session: Session::try_from(session)?, used_at }))
            .transpose()
    }

    async fn rotate(
        &self,
        old: RefreshTokenHash,
        new: RefreshTokenHash,
        session: SessionId,
        now: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<bool, DomainError> {
        audited_if(&self.db, &audit, async |conn| {
            // The single conditional UPDATE that makes rotation race-safe: of any number of
            // concurrent requests with the same token, exactly one sees a row change.
            let spent = diesel::update(
                refresh_tokens::table
                    .filter(refresh_tokens::token_hash.eq(old.0.to_vec()))
                    .filter(refresh_tokens::session_id.eq(session.0))
                    .filter(refresh_tokens::used_at.is_null()),
            )
            .set(refresh_tokens::used_at.eq(now))
            .execute(conn)
            .await?;
            if spent == 0 {
                return Ok(false);
            }
            let live = diesel::update(
                auth_sessions::table
                    .find(session.0)
                    .filter(auth_sessions::revoked_at.is_null())
                    .filter(auth_sessions::absolute_expires_at.gt(now)),
            )
            .set((auth_sessions::last_used_at.eq(now), auth_sessions::idle_expires_at.eq(idle_expires_at)))
            .execute(conn)
            .await?;
            if live == 0 {
                return Ok(false);
            }
            diesel::insert_into(refresh_tokens::table)
                .values((
                    refresh_tokens::token_hash.eq(new.0.to_vec()),
                    refresh_tokens::session_id.eq(session.0),
                    refresh_tokens::issued_at.eq(now),
                ))
                .execute(conn)
                .await?;
            Ok(true)
        })
        .await
    }

    async fn revoke(
        &self,
        session: SessionId,
        reason: RevokeReason,
        now: OffsetDateTime,
        audit: AuditRecord,
    ) -> Result<bool, DomainError> {
        audited_if(&self.db, &audit, async |conn| {
            let changed = diesel::update(
                auth_sessions::table.find(session.0).filter(auth_sessions::revoked_at.is_null()),
            )
            .set((auth_sessions::revoked_at.eq(now), auth_sessions::revoked_reason.eq(reason.as_str())))
            .execute(conn)
            .await?;
            if changed == 0 {
                return Ok(false);
            }
            Ok(true)
        })
        .await
    }

    async fn get(&self, session: SessionId) -> Result<Option<Session>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<SessionRow> = auth_sessions::table
            .find(session.0)
            .select(SessionRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(Session::try_from).transpose()
    }

    async fn list_for_user(&self, user: UserId, page: PageRequest) -> Result<Page<Session>, DomainError> {
        let mut conn = self.db.conn().await?;
        let total: i64 = auth_sessions::table
            .filter(auth_sessions::user_id.eq(user.0))
            .count()
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let rows: Vec<SessionRow> = auth_sessions::table
            .filter(auth_sessions::user_id.eq(user.0))
            .select(SessionRow::as_select())
            .order((auth_sessions::created_at.desc(), auth_sessions::id.desc()))
            .limit(i64::from(page.limit()))
            .offset(page.offset() as i64)
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let items = rows.into_iter().map(Session::try_from).collect::<Result<_, _>>()?;
        Ok(Page::new(items, total.unsigned_abs(), page))
    }

    async fn authz_state(&self, user: UserId, session: SessionId) -> Result<Option<AuthzState>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<(String, String, i32, String, Option<OffsetDateTime>, OffsetDateTime)> = users::table
            .inner_join(auth_sessions::table)
            .filter(users::id.eq(user.0))
            .filter(auth_sessions::id.eq(session.0))
            .select((
                users::status,
                users::role,
                users::authz_ver,
                users::email,
                auth_sessions::revoked_at,
                auth_sessions::absolute_expires_at,
            ))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(|(status, role, authz_ver, email, revoked_at, absolute)| {
            Ok(AuthzState {
                status: parse_status(&status)?,
                role: parse_role(&role)?,
                authz_ver,
                email: parse_email(&email)?,
                session_revoked: revoked_at.is_some(),
                session_absolute_expires_at: absolute,
            })
        })
        .transpose()
    }
}

#[derive(Clone)]
pub struct PgLoginThrottle {
    db: Database,
}

impl PgLoginThrottle {
    pub fn new(db: Database) -> Self {
        register_constraints(CONSTRAINTS);
        Self { db }
    }
}

#[async_trait]
impl LoginThrottle for PgLoginThrottle {
    async fn counters(&self, keys: &[String]) -> Result<Vec<Counter>, DomainError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<(String, i32, OffsetDateTime, Option<OffsetDateTime>)> = login_throttle::table
            .filter(login_throttle::subject.eq_any(keys))
            .select((
                login_throttle::subject,
                login_throttle::failures,
                login_throttle::last_failure_at,
                login_throttle::blocked_until,
            ))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(rows
            .into_iter()
            .map(|(key, failures, last_failure_at, blocked_until)| Counter {
                key,
                failures: failures.max(0).unsigned_abs(),
                last_failure_at,
                blocked_until,
            })
            .collect())
    }

    async fn claim_account_slot(
        &self,
        account: &Subject,
        now: OffsetDateTime,
        policy: ThrottlePolicy,
    ) -> Result<Option<OffsetDateTime>, DomainError> {
        let mut conn = self.db.conn().await?;
        let recent = now - policy.window;
        let paced_from = i32::try_from(policy.free_failures).unwrap_or(i32::MAX);
        let is_paced = login_throttle::subject
            .eq(&account.key)
            .and(login_throttle::failures.ge(paced_from))
            .and(login_throttle::last_failure_at.gt(recent));
        // Takes the slot if it is free. Of two attempts at once, the second waits for the
        // first's row lock, then finds the slot taken.
        let claimed = diesel::update(login_throttle::table)
            .filter(is_paced)
            .filter(login_throttle::blocked_until.is_null().or(login_throttle::blocked_until.le(now)))
            .set(login_throttle::blocked_until.eq(now + policy.pace()))
            .execute(&mut *conn)
            .await
            .map_err(map_diesel)?;
        if claimed == 1 {
            return Ok(None);
        }
        let held: Option<Option<OffsetDateTime>> = login_throttle::table
            .filter(is_paced)
            .select(login_throttle::blocked_until)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        Ok(held.flatten().filter(|until| *until > now))
    }

    async fn record_failure(
        &self,
        subjects: &[Subject],
        now: OffsetDateTime,
        policy: ThrottlePolicy,
        audit: AuditRecord,
    ) -> Result<(), DomainError> {
        audited(&self.db, &audit, async |conn| {
            for subject in subjects {
                // The row must exist before it is locked: two first failures at once would
                // otherwise both count from zero and one would be lost.
                diesel::insert_into(login_throttle::table)
                    .values((
                        login_throttle::subject.eq(&subject.key),
                        login_throttle::failures.eq(0),
                        login_throttle::last_failure_at.eq(now - policy.window),
                        login_throttle::blocked_until.eq(None::<OffsetDateTime>),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                let previous: Option<(i32, OffsetDateTime, Option<OffsetDateTime>)> = login_throttle::table
                    .find(&subject.key)
                    .select((
                        login_throttle::failures,
                        login_throttle::last_failure_at,
                        login_throttle::blocked_until,
                    ))
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                let state = policy.after_failure(
                    subject.kind,
                    previous.map(|(n, at, _)| (n.max(0).unsigned_abs(), at)),
                    now,
                );
                // The account counter keeps its pacing slot; lockout counters take theirs.
                let blocked_until = match subject.kind {
                    SubjectKind::Account => previous.and_then(|(_, _, until)| until),
                    _ => state.blocked_until,
                };
                let failures = i32::try_from(state.failures).unwrap_or(i32::MAX);
                diesel::insert_into(login_throttle::table)
                    .values((
                        login_throttle::subject.eq(&subject.key),
                        login_throttle::failures.eq(failures),
                        login_throttle::last_failure_at.eq(now),
                        login_throttle::blocked_until.eq(blocked_until),
                    ))
                    .on_conflict(login_throttle::subject)
                    .do_update()
                    .set((
                        login_throttle::failures.eq(failures),
                        login_throttle::last_failure_at.eq(now),
                        login_throttle::blocked_until.eq(blocked_until),
                    ))
                    .execute(conn)
                    .await?;
            }
            Ok(())
        })
        .await
    }
}
