//! Search-as-you-type over a 100,000-user directory: each keystroke of "mina.lee" is one query
//! for the first page of 50, newest first, as the users table asks. Baseline: one pass over the
//! same users reading their e-mails.
//!
//! Run: `cargo bench -p cloo-domain --bench directory` (`./dev bench` runs it too).

use cloo_domain::{DirectoryIndex, DirectoryUser, Role, SortDirection, UserQuery, UserSort};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const FIRST: &[&str] = &[
    "Mina", "Minjun", "Olivia", "Liam", "Seoyeon", "Ethan", "Jiwoo", "Emma", "Noah", "Hayoon",
];
const LAST: &[&str] = &[
    "Lee", "Kim", "Park", "Smith", "Choi", "Brown", "Jung", "Garcia", "Kang", "Miller",
];

fn directory(n: usize) -> Vec<DirectoryUser> {
    (0..n)
        .map(|i| {
            let (f, l) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
            DirectoryUser {
                id: format!("{i:08x}-0000-4000-8000-000000000000"),
                name: format!("{f} {l}"),
                email: format!(
                    "{}.{}{}@corp.example.com",
                    f.to_lowercase(),
                    l.to_lowercase(),
                    i
                ),
                role: [Role::User, Role::User, Role::Pending, Role::Admin][i % 4].clone(),
                profile_image_url: "/user.png".into(),
                last_active_at: 1_790_000_000 + (i as i64 * 37) % 5_000_000,
                updated_at: 1_700_000_000 + i as i64,
                created_at: 1_700_000_000 + i as i64,
                oauth_sub: None,
                oauth_oid: None,
            }
        })
        .collect()
}

fn search(c: &mut Criterion) {
    let index = DirectoryIndex::new(directory(100_000));
    let query = |typed: &str| UserQuery {
        search: typed.to_owned(),
        sort: UserSort::Joined,
        direction: SortDirection::Descending,
        limit: 50,
        ..UserQuery::default()
    };
    let mut g = c.benchmark_group("directory");
    // The first keystroke matches the most users; later ones fewer.
    for (name, typed) in [
        ("keystroke_broad_m", "m"),
        ("keystroke_narrow_mina_l", "mina.l"),
    ] {
        let q = query(typed);
        g.bench_function(name, |b| b.iter(|| black_box(index.query(black_box(&q)))));
    }
    g.bench_function("keystroke_baseline_scan", |b| {
        b.iter(|| black_box(index.users().iter().filter(|u| u.email.len() > 30).count()))
    });
    g.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
