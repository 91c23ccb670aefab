//! The catalog model: plain data that every source (files, live database,
//! revision files) produces, and that the differ compares.

mod catalog;
mod composite;
mod constraint;
mod depends;
mod exprs;
mod grant;
mod hint;
mod index;
mod name;
mod object;
mod partition;
mod policy;
mod refs;
mod routine;
mod sequence;
mod table;
mod trigger;
mod types;
mod view;

pub use catalog::{Catalog, Extension, Schema};
pub use composite::{Attribute, CompositeType, RangeType};
pub use constraint::{Constraint, ConstraintKind, Deferral, FkAction, FkMatch, ForeignKey};
pub use depends::Dep;
pub use grant::{DefaultKey, GrantKey, GrantObject, Grantee, ManagedRoles, ObjectKind, Privilege, Privileges};
pub use hint::RenameHint;
pub use index::{Index, IndexKey, IndexKeyExpr};
pub use name::{default_version_table, QualName};
pub use object::{GenericKind, Object, ObjectId, OptionSpec, Signature, Spec, Value, PUBLISH_ACTIONS};
pub use partition::{PartitionBound, PartitionKey, PartitionOf, PartitionStrategy};
pub use policy::{Policy, PolicyCommand, PUBLIC_ROLE};
pub use routine::{Arg, ArgMode, Parallel, Routine, RoutineId, RoutineKind, Volatility};
pub use sequence::{SeqOptions, SeqType, Sequence};
pub use table::{Column, Identity, NotNull, ReplicaIdentity, Table, UniqueKey};
pub use trigger::{Trigger, TriggerEnabled, TriggerId, TriggerTiming};
pub use types::{ColumnType, Domain, EnumType, Expr};
pub use view::{Output, View};

/// The model's ordered map. Keys are names pgstate itself derived, never
/// attacker-chosen in a way that matters, so a fast non-DoS-resistant hash
/// is right: hashing was a visible share of parse and diff time at scale.
pub type Map<K, V> = indexmap::IndexMap<K, V, rustc_hash::FxBuildHasher>;
