//! Auto-matching at university scale: 20,000 freshmen × 4,000 mentors, in memory (the algorithm
//! of `domain::pairing::auto_match`, which the API runs on one college's data).

use domain::pairing::{Freshman, MentorSlot, auto_match};
use uuid::Uuid;

use crate::{Measurement, timed};

const FRESHMEN: usize = 20_000;
const MENTORS: usize = 4_000;
const UNITS: usize = 400;
const DISCIPLINES: usize = 40;

/// A fixed pseudo-random sequence, so every run matches the same input.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from((self.0 >> 33) % n as u64).unwrap_or(0)
    }
}

fn id(n: usize) -> Uuid {
    Uuid::from_u128(n as u128 + 1)
}

/// Runs the scenario.
pub async fn run() -> Vec<Measurement> {
    let mut rng = Lcg(2025);
    let units: Vec<Uuid> = (0..UNITS).map(|u| id(1_000_000 + u)).collect();
    let discipline_of = |u: usize| id(2_000_000 + u % DISCIPLINES);
    let mentors: Vec<MentorSlot> = (0..MENTORS)
        .map(|i| {
            let u = rng.next(UNITS);
            MentorSlot {
                appointment_id: id(i),
                key: format!("2023{i:06}"),
                unit_id: units[u],
                discipline_id: Some(discipline_of(u)),
                enrollment_year: 2023,
                capacity: 3 + u32::try_from(rng.next(5)).unwrap_or(0),
                taken: 0,
            }
        })
        .collect();
    let freshmen: Vec<Freshman> = (0..FRESHMEN)
        .map(|i| {
            let u = rng.next(UNITS + 20);
            Freshman {
                id: id(10_000_000 + i),
                key: format!("2025{i:06}"),
                unit_id: units.get(u).copied(),
                discipline_id: (u < UNITS).then(|| discipline_of(u)),
                enrollment_year: 2025,
            }
        })
        .collect();
    let (proposal, elapsed) = timed(async { auto_match(&freshmen, &mentors) }).await;
    let (again, _) = timed(async { auto_match(&freshmen, &mentors) }).await;
    let deterministic = proposal == again;
    vec![Measurement {
        scenario: "auto-match 20000x4000".into(),
        target: "memory".into(),
        items: FRESHMEN as u64,
        elapsed,
        note: format!(
            "target < 1 s; {} paired, {} unmatched, deterministic: {deterministic}",
            proposal.pairs.len(),
            proposal.unmatched.len()
        ),
        figure: None,
    }]
}
