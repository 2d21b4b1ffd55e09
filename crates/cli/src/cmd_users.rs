//! `users …`.

use crate::args::{Output, UsersCommand};
use crate::input::{confirm, confirm_by_typing, read_secret};
use crate::output::{format_time, print_json, table};
use cloo_console::{Console, EditUserRequest, NewUserRequest, Target, deletion_impact};
use cloo_domain::{Role, UserQuery};
use serde_json::json;

pub async fn run(
    console: &Console,
    target: &Target,
    command: &UsersCommand,
    out: Output,
) -> Result<(), String> {
    let e = |e: cloo_console::ConsoleError| e.to_string();
    match command {
        UsersCommand::List { search, role } => {
            let role = match role {
                Some(r) => Some(
                    Role::parse_assignable(r)
                        .map_err(|e| e.to_string())?
                        .to_string(),
                ),
                None => None,
            };
            let query = UserQuery {
                search: search.clone().unwrap_or_default(),
                role,
                ..UserQuery::default()
            };
            let users = console.list_users(target, &query).await.map_err(e)?;
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
            let d = console.user_detail(target, user).await.map_err(e)?;
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
                    let names = |v: &[cloo_console::NamedRef]| {
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
            let row = console.add_user(target, &request).await.map_err(e)?;
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
            let row = console.edit_user(target, user, &request).await.map_err(e)?;
            done(out, &row, &format!("updated {} <{}>", row.name, row.email))
        }
        UsersCommand::SetRole { user, role, yes } => {
            confirm(&format!("Change the role of {user} to {role}?"), *yes)?;
            let row = console.set_role(target, user, role).await.map_err(e)?;
            done(out, &row, &format!("{} is now {}", row.email, row.role))
        }
        UsersCommand::Delete { user, yes } => {
            let detail = console.user_detail(target, user).await.map_err(e)?;
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
            let row = console
                .delete_user(target, &detail.user.id, &typed)
                .await
                .map_err(e)?;
            done(out, &row, &format!("deleted {}", row.email))
        }
        UsersCommand::Import(_) => Err("users import is handled by its own module".into()),
        UsersCommand::Permissions { user } => {
            let report = console.user_permissions(target, user).await.map_err(e)?;
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
                console
                    .set_user_limit(target, user, model, *set)
                    .await
                    .map_err(e)?;
            }
            let report = console.user_limit(target, user, model).await.map_err(e)?;
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

fn done<T: serde::Serialize>(out: Output, value: &T, line: &str) -> Result<(), String> {
    match out {
        Output::Json => print_json(value),
        Output::Table => {
            println!("{line}");
            Ok(())
        }
    }
}
