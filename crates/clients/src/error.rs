use axis_kernel::DomainError;

/// Client use cases fail only in the ways every use case can: `Forbidden` (role), `NotFound`
/// (missing or outside the actor's scope), `Validation`, `Conflict` (a state that forbids the
/// change, or a taken natural key naming its field), `VersionMismatch`, `Unavailable`.
pub type ClientError = DomainError;
