//! What a cache of catalog reads knows of the catalog feed: whether it may keep anything (only
//! while every change is heard), and how many changes it heard, so that what a read that began
//! before a change saw is not kept after it. The catalog's pages and the products orders are
//! priced from keep their reads by these rules.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::CatalogFeed;

/// Cheap to clone: every clone hears the same feed.
#[derive(Clone, Default)]
pub struct CatalogHearing {
    listening: Arc<AtomicBool>,
    changes: Arc<AtomicU64>,
}

/// Where a read began, as [`CatalogHearing::read_begins`] answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadBegan(u64);

impl CatalogHearing {
    /// Applies what the listener heard; `forget` drops everything kept. Everything is forgotten
    /// at every news: a change, and also listening anew or going deaf, since changes may have
    /// gone unheard in between.
    pub fn hear(&self, feed: CatalogFeed, forget: impl FnOnce()) {
        match feed {
            CatalogFeed::Listening => {
                self.changed(forget);
                self.listening.store(true, Ordering::SeqCst);
            }
            CatalogFeed::Changed => self.changed(forget),
            CatalogFeed::Deaf => {
                self.listening.store(false, Ordering::SeqCst);
                self.changed(forget);
            }
        }
    }

    /// A change, heard or made by this instance: what reads begun before it saw is not kept.
    pub fn changed(&self, forget: impl FnOnce()) {
        self.changes.fetch_add(1, Ordering::SeqCst);
        forget();
    }

    /// Whether changes are heard, so reads may be kept.
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }

    /// Call before reading what is to be kept.
    pub fn read_begins(&self) -> ReadBegan {
        ReadBegan(self.changes.load(Ordering::SeqCst))
    }

    /// Whether what a read that began at `began` saw may be kept: listening, and no change heard
    /// since. Ask after keeping it too, and forget it if the answer changed: a change heard in
    /// between is then caught either there or by its own forgetting.
    pub fn may_keep(&self, began: ReadBegan) -> bool {
        self.is_listening() && self.changes.load(Ordering::SeqCst) == began.0
    }
}
