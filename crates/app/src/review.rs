//! Review mode's commands: the queue of items to review, human verdicts (stored through the
//! annotation writer, never in a run folder), answer-key fixes, undo.

use super::{Command, InspectorApp};
use unisandbox_core::annotation_writer::Write;
use unisandbox_core::annotations::{Human, Review};
use unisandbox_core::model::ItemKey;

impl InspectorApp {
    /// Builds the review queue from the list as filtered now (when the view opens empty, or when
    /// the sample changes).
    pub(super) fn start_review(&mut self, sample: unisandbox_core::review::Sample) {
        let state = &mut self.state;
        state.ui.review.queue =
            unisandbox_core::review::review_queue(&state.data.dataset, &state.ui.filtered, sample);
        state.ui.review.sample = sample;
        state.ui.review.built = true;
        // Start at the first item not reviewed yet.
        state.ui.review.position = state
            .ui
            .review
            .queue
            .iter()
            .position(|&i| {
                state
                    .annotation_of(&state.data.dataset.items[i])
                    .and_then(|a| a.review.as_ref())
                    .is_none()
            })
            .unwrap_or(0);
        state.ui.review.reviewed = state
            .ui
            .review
            .queue
            .iter()
            .filter(|&&i| {
                state
                    .annotation_of(&state.data.dataset.items[i])
                    .and_then(|a| a.review.as_ref())
                    .is_some()
            })
            .count();
        state.ui.review.typing_answer = None;
        state.ui.review.corrected_answer = None;
        state.ui.review.undo.clear();
    }

    pub(super) fn apply_review(&mut self, command: Command) {
        match command {
            Command::SetReviewSample(sample) => self.start_review(sample),
            Command::ReviewVerdict(human) => self.review_verdict(human),
            Command::ReviewFixKey => self.state.ui.review.typing_answer = Some(String::new()),
            Command::ReviewFixKeyText(text) => self.state.ui.review.typing_answer = Some(text),
            Command::ReviewCorrectedAnswer(answer) => {
                let review = &mut self.state.ui.review;
                review.typing_answer = None;
                review.corrected_answer = answer.filter(|a| !a.trim().is_empty());
            }
            Command::ReviewUndo => self.review_undo(),
            Command::ReviewMove(delta) => {
                let review = &mut self.state.ui.review;
                let last = review.queue.len().saturating_sub(1) as i64;
                review.position = (review.position as i64 + delta).clamp(0, last) as usize;
                review.corrected_answer = None;
                review.typing_answer = None;
            }
            Command::SetReviewer(name) => self.state.settings.reviewer = name.trim().to_string(),
            Command::SetReviewReason(reason) => self.state.ui.review.reason = reason,
            _ => {}
        }
    }

    /// Records the verdict on the item under review and moves on.
    fn review_verdict(&mut self, human: Human) {
        let Some(index) = self.state.ui.review.current() else {
            return;
        };
        let key = self
            .state
            .data
            .dataset
            .annotation_key_of(&self.state.data.dataset.items[index]);
        let before = self
            .state
            .annotations
            .get(&key)
            .and_then(|a| a.review.clone());
        let corrected_answer = self
            .state
            .ui
            .review
            .corrected_answer
            .take()
            .or_else(|| before.as_ref().and_then(|r| r.corrected_answer.clone()));
        let review = Review {
            human,
            corrected_answer,
            reviewer: self.reviewer_name(),
            reason: std::mem::take(&mut self.state.ui.review.reason)
                .trim()
                .to_string(),
            at: unisandbox_core::annotations::now_millis(),
        };
        let position = self.state.ui.review.position;
        self.set_review(key.clone(), Some(review));
        let session = &mut self.state.ui.review;
        session.reviewed += usize::from(before.is_none());
        session.undo.push((key, position, before));
        // The last item stays on screen, reviewed.
        session.position = (position + 1).min(session.queue.len().saturating_sub(1));
    }

    fn review_undo(&mut self) {
        let Some((key, position, before)) = self.state.ui.review.undo.pop() else {
            return;
        };
        let restores_nothing = before.is_none();
        self.set_review(key, before);
        let session = &mut self.state.ui.review;
        if restores_nothing {
            session.reviewed = session.reviewed.saturating_sub(1);
        }
        session.position = position;
        self.state.ui.review.corrected_answer = None;
    }

    /// Stores (or removes) a human verdict: the cached copy at once, the database via the writer.
    fn set_review(&mut self, key: ItemKey, review: Option<Review>) {
        self.annotate_key(key, |key, annotation| {
            annotation.review = review.clone();
            Write::Review {
                key: key.clone(),
                review,
            }
        });
        self.charts_changed();
    }

    /// The reviewer's name: the setting, else the login name.
    fn reviewer_name(&self) -> String {
        if !self.state.settings.reviewer.is_empty() {
            return self.state.settings.reviewer.clone();
        }
        std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "reviewer".into())
    }
}
