//! `users …`.

use crate::args::{BulkCommand, Output, UsersCommand};
use crate::error::{CliError, CliResult};
use crate::input::{confirm, confirm_by_typing, read_secret};
use crate::output::{format_time, print_json, table};
use crate::progress::Watch;
use cloo_console::users::{BulkAction, EditUserRequest, NewUserRequest, deletion_impact};
use cloo_console::{Console, Observer, Target};
use cloo_domain::{Role, UserQuery};
use serde_json::json;

pub async fn run(
    console: &Console,
    target: &Target,
    command: &UsersCommand,
    out: Output,
) -> CliResult<()> {
    let quiet = Observer::quiet();
    let users = console.users();
    match command {
        UsersCommand::List { search, role } => {
            let role = match role {
                Some(r) => Some(
                    Role::parse_assignable(r)
                        .map_err(|e| CliError::Input(e.to_string()))?
                        .to_string(),
                ),
                None => None,
            };
            let query = UserQuery {
                search: search.clone().unwrap_or_default(),
                role,
                ..UserQuery::default()
            };
            let users = users.list(target, &query).await?;
            match out {
                Output::Json => print_json(&users),
                Output::Table => {
                    let rows: Vec<Vec<String>> = users
                        .iter()
                        .map(|u| {
                            vec![
                                u.name.clone(),
                                u.email.clone(),
                                u.role.to_string(),
                                u.oauth_sub.clone().unwrap_or_default(),
                                format_time(u.last_active_at),
                                format_time(u.created_at),
                            ]
                        })
                        .collect();
                    print!(
                        "{}",
                        table(
                            &["NAME", "EMAIL", "ROLE", "OAUTH ID", "LAST ACTIVE", "JOINED"],
                            &rows
                        )
                    );
                    Ok(())
                }
            }
        }
        UsersCommand::Get { user } => {
            let d = users.get(target, user).await?;
            match out {
                Output::Json => print_json(&d),
                Output::Table => {
                    let mut badges = Vec::new();
                    if d.is_super_admin {
                        badges.push("Super Admin");
                    }
                    if d.is_first_user {
                        badges.push("first user");
                    }
                    if d.is_me {
                        badges.push("you");
                    }
                    let names = |v: &[cloo_console::users::NamedRef]| {
                        v.iter()
                            .map(|n| n.name.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let rows = vec![
                        vec!["name".into(), d.user.name.clone()],
                        vec!["email".into(), d.user.email.clone()],
                        vec![
                            "role".into(),
                            format!(
                                "{}{}",
                                d.user.role,
                                if badges.is_empty() {
                                    String::new()
                                } else {
                                    format!(" ({})", badges.join(", "))
                                }
                            ),
                        ],
                        vec!["id".into(), d.user.id.clone()],
                        vec![
                            "oauth id".into(),
                            d.user.oauth_sub.clone().unwrap_or_default(),
                        ],
                        vec!["groups".into(), names(&d.groups)],
                        vec!["groups via units".into(), names(&d.groups_via_units)],
                        vec!["units".into(), names(&d.units)],
                        vec![
                            "limits".into(),
                            d.limits
                                .iter()
                                .map(|(m, t)| format!("{m}={t}"))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ],
                        vec!["last active".into(), format_time(d.user.last_active_at)],
                        vec!["joined".into(), format_time(d.user.created_at)],
                    ];
                    // Admin rights through groups: worth a line only for non-admins who hold some.
                    let mut rows = rows;
                    if !d.user.role.eq_ignore_ascii_case("admin") {
                        let held: Vec<&str> = d
                            .delegated
                            .iter()
                            .filter(|r| r.allowed)
                            .map(|r| r.capability.as_str())
                            .collect();
                        rows.push(vec![
                            "delegated rights".into(),
                            if held.is_empty() {
                                "none".into()
                            } else {
                                held.join(", ")
                            },
                        ]);
                    }
                    print!("{}", table(&["FIELD", "VALUE"], &rows));
                    Ok(())
                }
            }
        }
        UsersCommand::Add {
            email,
            name,
            role,
            password_stdin: _,
            yes,
        } => {
            let password = read_secret("Password: ")?;
            confirm(&format!("Add {name} <{email}> as {role}?"), *yes)?;
            let request = NewUserRequest {
                name: name.clone(),
                email: email.clone(),
                password,
                role: role.clone(),
            };
            let row = users.add(target, &request, &quiet).await?;
            done(
                out,
                &row,
                &format!("added {} <{}> as {}", row.name, row.email, row.role),
            )
        }
        UsersCommand::Edit {
            user,
            name,
            email,
            profile_image_url,
            password_stdin,
            yes,
        } => {
            let password = if *password_stdin {
                Some(read_secret("New password: ")?)
            } else {
                None
            };
            let request = EditUserRequest {
                name: name.clone(),
                email: email.clone(),
                profile_image_url: profile_image_url.clone(),
                password,
            };
            confirm(&format!("Change {user}?"), *yes)?;
            let row = users.edit(target, user, &request, &quiet).await?;
            done(out, &row, &format!("updated {} <{}>", row.name, row.email))
        }
        UsersCommand::SetRole { user, role, yes } => {
            confirm(&format!("Change the role of {user} to {role}?"), *yes)?;
            let row = users.set_role(target, user, role, &quiet).await?;
            done(out, &row, &format!("{} is now {}", row.email, row.role))
        }
        UsersCommand::Delete { user, yes } => {
            let detail = users.get(target, user).await?;
            let impact = deletion_impact();
            let question = format!(
                "Delete {} <{}> for good?\n  Goes: {}\n  Stays: {}\n  {}",
                detail.user.name,
                detail.user.email,
                impact.goes.join("; "),
                impact.stays.join("; "),
                impact.suggestion
            );
            let typed = confirm_by_typing(&question, &detail.user.email, *yes)?;
            let row = users
                .delete(target, &detail.user.id, &typed, &quiet)
                .await?;
            done(out, &row, &format!("deleted {}", row.email))
        }
        UsersCommand::Import(_) => Err("users import is handled by its own module".into()),
        UsersCommand::Bulk(command) => bulk(console, target, command, out).await,
        UsersCommand::Permissions { user } => {
            let report = users.get_permissions(target, user).await?;
            for note in &report.notes {
                eprintln!("note: {note}");
            }
            match out {
                Output::Json => print_json(&report.object),
                Output::Table => {
                    if report.is_admin {
                        println!(
                            "{} is an admin: every admin check passes regardless of these values.",
                            report.email
                        );
                    }
                    let rows: Vec<Vec<String>> = report
                        .entries
                        .iter()
                        .map(|en| {
                            let value = if en.value.is_null() {
                                "unknown".to_owned()
                            } else {
                                en.value.to_string().trim_matches('"').to_owned()
                            };
                            let source = en
                                .why
                                .split_once(": ")
                                .map(|(_, s)| s.to_owned())
                                .unwrap_or_default();
                            vec![en.path.clone(), value, source]
                        })
                        .collect();
                    print!("{}", table(&["KEY", "VALUE", "FROM"], &rows));
                    Ok(())
                }
            }
        }
        UsersCommand::Limit {
            user,
            model,
            set,
            clear,
            yes,
        } => {
            if set.is_some() || *clear {
                let what = match set {
                    Some(t) => format!("set {user}'s own limit for {model} to {t}"),
                    None => format!("remove {user}'s own limit for {model}"),
                };
                confirm(&format!("{what}?"), *yes)?;
                users.set_limit(target, user, model, *set, &quiet).await?;
            }
            let report = users.get_limit(target, user, model).await?;
            if let Some(note) = &report.database_note {
                eprintln!("note: {note}");
            }
            match out {
                Output::Json => {
                    print_json(&json!({"daily_limit": report.daily_limit, "source": report.source}))
                }
                Output::Table => {
                    println!("{}", report.explanation);
                    Ok(())
                }
            }
        }
    }
}

fn done<T: serde::Serialize>(out: Output, value: &T, line: &str) -> CliResult<()> {
    match out {
        Output::Json => print_json(value),
        Output::Table => {
            println!("{line}");
            Ok(())
        }
    }
}

/// `users bulk …`: a stored plan on a selection, then exactly that plan.
async fn bulk(
    console: &Console,
    target: &Target,
    command: &BulkCommand,
    out: Output,
) -> CliResult<()> {
    let users = console.users();
    let (plan, yes, confirm_text, allow_deletes) = match command {
        BulkCommand::Apply {
            plan,
            confirm,
            allow_deletes,
            yes: _,
        } => {
            // Applying a stored plan never prompts: the plan was the review.
            let plan = users.get_bulk_plan(plan).await?;
            let typed = confirm.clone().or_else(|| plan.confirmation.clone());
            (plan, true, typed, *allow_deletes)
        }
        BulkCommand::Role {
            role,
            users: who,
            plan_only,
            yes,
            ..
        }
        | BulkCommand::AddToGroup {
            group: role,
            users: who,
            plan_only,
            yes,
            ..
        } => {
            let action = match command {
                BulkCommand::Role { .. } => BulkAction::SetRole { role: role.clone() },
                _ => BulkAction::AddToGroup {
                    group: role.clone(),
                },
            };
            let plan = plan_selection(console, target, &action, who).await?;
            if *plan_only {
                return show_bulk_plan(&plan, out);
            }
            (plan, *yes, None, None)
        }
        BulkCommand::Delete {
            users: who,
            plan_only,
            yes,
            allow_deletes,
        } => {
            let plan = plan_selection(console, target, &BulkAction::Delete, who).await?;
            if *plan_only {
                return show_bulk_plan(&plan, out);
            }
            (plan, *yes, None, *allow_deletes)
        }
    };
    if !matches!(command, BulkCommand::Apply { .. }) {
        show_bulk_plan(&plan, Output::Table)?;
    }
    let typed = match (&plan.confirmation, confirm_text) {
        (Some(expected), None) => Some(confirm_by_typing(
            &format!("Apply plan {} to {} user(s)?", plan.id, plan.acting),
            expected,
            yes,
        )?),
        (None, None) => {
            confirm(
                &format!("Apply plan {} to {} user(s)?", plan.id, plan.acting),
                yes,
            )?;
            None
        }
        (_, given) => given,
    };
    let watch = Watch::start();
    let results = users
        .apply_bulk(
            target,
            &plan.id,
            typed.as_deref(),
            allow_deletes,
            &watch.observer,
        )
        .await;
    drop(watch);
    let results = results?;
    match out {
        Output::Json => print_json(&results),
        Output::Table => {
            let rows: Vec<Vec<String>> = results
                .iter()
                .map(|r| vec![r.email.clone(), r.outcome.clone(), r.message.clone()])
                .collect();
            print!("{}", table(&["EMAIL", "OUTCOME", "MESSAGE"], &rows));
            Ok(())
        }
    }
}

/// Resolves e-mails or ids to users and plans `action` on them (the plan is stored).
async fn plan_selection(
    console: &Console,
    target: &Target,
    action: &BulkAction,
    who: &[String],
) -> CliResult<cloo_console::users::BulkPlan> {
    let mut ids = Vec::new();
    for w in who {
        ids.push(console.users().get(target, w).await?.user.id);
    }
    Ok(console.users().plan_bulk(target, action, &ids).await?)
}

fn show_bulk_plan(plan: &cloo_console::users::BulkPlan, out: Output) -> CliResult<()> {
    match out {
        Output::Json => print_json(plan),
        Output::Table => {
            let rows: Vec<Vec<String>> = plan
                .items
                .iter()
                .map(|i| {
                    vec![
                        i.email.clone(),
                        i.change.clone(),
                        i.refused.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print!("{}", table(&["EMAIL", "CHANGE", "REFUSED"], &rows));
            if let Some(guard) = &plan.deletion {
                println!(
                    "deletes {} of {} users; at most {} without --allow-deletes (min({}, {}%))",
                    guard.deletes, guard.existing, guard.threshold, guard.cap, guard.share_percent
                );
            }
            println!(
                "plan {} (apply with: clooctl users bulk apply {})",
                plan.id, plan.id
            );
            Ok(())
        }
    }
}
