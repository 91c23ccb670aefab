use serde::Serialize;

use super::{Dep, Expr};

/// The commands a policy applies to (`FOR ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyCommand {
    /// `FOR ALL` (the default).
    All,
    /// `FOR SELECT`.
    Select,
    /// `FOR INSERT`.
    Insert,
    /// `FOR UPDATE`.
    Update,
    /// `FOR DELETE`.
    Delete,
}

impl PolicyCommand {
    /// The keyword, as in `FOR <keyword>`.
    pub fn sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}

/// The role name that stands for `PUBLIC` in `Policy::roles` (no role can
/// be called that: PostgreSQL reserves it).
pub const PUBLIC_ROLE: &str = "public";

/// A row-level security policy of a table.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// Its name (unique per table).
    pub name: String,
    /// `AS PERMISSIVE` (true, the default) or `AS RESTRICTIVE`.
    pub permissive: bool,
    /// `FOR ...`.
    pub command: PolicyCommand,
    /// `TO ...`: role names sorted, `PUBLIC_ROLE` alone for PUBLIC (the default).
    pub roles: Vec<String>,
    /// `USING (...)`, canonical.
    pub using: Option<Expr>,
    /// `WITH CHECK (...)`, canonical.
    pub with_check: Option<Expr>,
    /// `COMMENT ON POLICY`.
    pub comment: Option<String>,
    /// What its expressions refer to (columns of its table, functions, types); not compared.
    pub depends: Vec<Dep>,
}

impl PartialEq for Policy {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.comment == other.comment && self.same_definition(other)
    }
}

impl Policy {
    /// Whether both say the same, whatever their names and comments.
    pub fn same_definition(&self, other: &Self) -> bool {
        self.permissive == other.permissive
            && self.command == other.command
            && self.roles == other.roles
            && self.using == other.using
            && self.with_check == other.with_check
    }

    /// Role names as PostgreSQL keeps them: sorted, once each, and PUBLIC
    /// alone when it is among them (PostgreSQL ignores the others then).
    pub fn normalize_roles(roles: &mut Vec<String>) {
        if roles.is_empty() || roles.iter().any(|r| r == PUBLIC_ROLE) {
            *roles = vec![PUBLIC_ROLE.to_string()];
            return;
        }
        roles.sort();
        roles.dedup();
    }

    /// The columns of its own table it refers to.
    pub fn columns(&self) -> impl Iterator<Item = &String> {
        self.depends.iter().filter_map(|d| match d {
            Dep::Column(_, c) => Some(c),
            _ => None,
        })
    }
}
