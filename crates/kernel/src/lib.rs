//! Types every axis domain shares: typed ids, the acting user, roles, paging, validated
//! value types, the audit record every change carries, and the clock port.

pub mod access;
pub mod actor;
pub mod audit;
pub mod blob;
pub mod clock;
pub mod csv;
pub mod email;
pub mod enums;
pub mod error;
pub mod files;
pub mod idempotency;
pub mod ids;
pub mod input;
pub mod jobs;
pub mod lifecycle;
pub mod member;
pub mod money;
pub mod page;
pub mod patch;
pub mod person;
pub mod phone;
pub mod role;
pub mod scope;
pub mod secret;
pub mod unit_of_work;

pub use access::{ClientAccess, ClientAction, ClientGuard, ClientOwned};
pub use actor::{Actor, Authenticator, NotSignedIn, RequestContext};
pub use audit::{AuditOutcome, AuditRecord, AuditTrail, Audited, FieldChange};
pub use blob::{
    BlobKey, BlobRead, BlobStore, BlobWrite, ByteRange, FileRecords, FileSink, Incoming, RangeRequest,
    StoredFile, UNRECORDED_AFTER, remove_unrecorded,
};
pub use clock::{Clock, FixedClock};
pub use csv::{CsvRows, FileError, RawRow, TextEncoding};
pub use email::Email;
pub use error::{DomainError, FieldErrors, expect_version, retry_unconditional};
pub use files::{Content, FileKind};
pub use ids::{ClientId, SessionId, UserId};
pub use jobs::{JobKind, NewJob};
pub use lifecycle::{Scheduled, StatusChange, Transitions, apply_due, scheduled, status_on};
pub use member::{Member, MemberStore, Members};
pub use money::{Currency, Money, MoneyError};
pub use page::{Page, PageRequest, SortDirection};
pub use patch::Patch;
pub use person::{ContactMethod, Gender, PersonSearch, Profile, ProfileFields};
pub use phone::Phone;
pub use role::Role;
pub use scope::ClientScope;
pub use secret::SecretSource;
pub use unit_of_work::{UnitOfWork, in_unit_of_work};
