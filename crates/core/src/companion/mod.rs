//! The companion benchmarks the UniSandBox repository's scripts also produce: GenEval
//! (`evaluate_images_mp.py` results, `summary_scores.py` numbers) and WISE (`gpt_eval.py`
//! scores, `Calculate.py`'s WiScore). Pure parsing and scoring; no file is opened here.

pub mod checks;
pub mod discover;
pub mod geneval;
pub mod summary;
pub mod wise;
