//! The DDL script that introspection assembles: creations first, then the
//! statements that refer to other objects, then comments, then privileges.

use crate::canon::quote_literal;

/// Statements in three groups, joined in order at the end.
#[derive(Default)]
pub struct Script {
    /// `CREATE` statements.
    pub creates: String,
    /// `ALTER TABLE ... ADD CONSTRAINT`, `CREATE INDEX`, `ALTER SEQUENCE ... OWNED BY`.
    pub alters: String,
    /// `COMMENT ON`.
    pub comments: String,
    /// `GRANT`, `REVOKE`, `ALTER DEFAULT PRIVILEGES`.
    pub grants: String,
}

impl Script {
    /// Adds `COMMENT ON <what> IS '<text>'` when there is a comment.
    pub fn comment(&mut self, what: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.comments.push_str(&format!("COMMENT ON {what} IS {};\n", quote_literal(t)));
        }
    }

    /// The whole script.
    pub fn finish(self) -> String {
        self.creates + &self.alters + &self.comments + &self.grants
    }
}
