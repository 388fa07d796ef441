use std::collections::HashMap;
use std::sync::Arc;

use axis_jobs::{JobHandler, Periodic};

/// The handlers a worker runs, by kind, and the kinds it fires on a schedule.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    periodic: Vec<Periodic>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs jobs of `handler`'s kind; a second handler for a kind replaces the first.
    pub fn register(mut self, handler: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(handler.kind().name, handler);
        self
    }

    /// Runs `handler`'s kind and fires it once per period of `periodic`'s schedule.
    pub fn register_periodic(self, handler: Arc<dyn JobHandler>, periodic: Periodic) -> Self {
        let mut registry = self.register(handler);
        registry.periodic.retain(|p| p.kind.name != periodic.kind.name);
        registry.periodic.push(periodic);
        registry
    }

    pub(crate) fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<&'static str> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    pub(crate) fn handler(&self, kind: &str) -> Option<Arc<dyn JobHandler>> {
        self.handlers.get(kind).cloned()
    }

    pub(crate) fn periodic(&self) -> &[Periodic] {
        &self.periodic
    }
}
