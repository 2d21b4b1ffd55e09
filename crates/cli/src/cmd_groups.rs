//! `groups …`, `defaults …`, `sa …`.

use crate::args::{DefaultsCommand, GroupPermissionsCommand, GroupsCommand, Output, SaCommand};
use crate::error::CliResult;
use crate::input::{confirm, read_json};
use crate::output::{format_time, print_json, table};
use cloo_console::groups::{GroupChange, GroupView};
use cloo_console::{Console, Observer, Target};
use serde_json::{Value, json};

fn show_group(out: Output, g: &GroupView) -> CliResult<()> {
    match out {
        Output::Json => print_json(g),
        Output::Table => {
            println!("{} ({})", g.name, g.id);
            if !g.description.is_empty() {
                println!("{}", g.description);
            }
            for w in &g.warnings {
                println!("warning: {w}");
            }
            let members: Vec<Vec<String>> = g
                .members
                .iter()
                .map(|m| vec![m.name.clone(), m.email.clone(), m.role.clone()])
                .collect();
            print!("{}", table(&["MEMBER", "EMAIL", "ROLE"], &members));
            if !g.linked_units.is_empty() {
                println!(
                    "linked units: {}",
                    g.linked_units
                        .iter()
                        .map(|u| u.name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            if !g.limits.is_empty() {
                println!(
                    "limits: {}",
                    g.limits
                        .iter()
                        .map(|(m, t)| format!("{m}={t}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            Ok(())
        }
    }
}

fn show_change(out: Output, change: &GroupChange) -> CliResult<()> {
    for note in &change.notes {
        eprintln!("note: {note}");
    }
    show_group(out, &change.group)
}

/// `section.key=value`, the value a level or a boolean.
fn parse_key(assignment: &str) -> Result<(String, Value), String> {
    let (path, value) = assignment
        .split_once('=')
        .ok_or_else(|| format!("{assignment:?}: expected section.key=value"))?;
    let value = match value.trim() {
        "true" | "on" => json!(true),
        "false" | "off" => json!(false),
        other => json!(other),
    };
    Ok((path.trim().to_owned(), value))
}

pub async fn groups(
    console: &Console,
    target: &Target,
    command: &GroupsCommand,
    out: Output,
) -> CliResult<()> {
    let q = Observer::quiet();
    let g = console.groups();
    match command {
        GroupsCommand::List => {
            let groups = g.list(target).await?;
            match out {
                Output::Json => print_json(&groups),
                Output::Table => {
                    let rows: Vec<Vec<String>> = groups
                        .iter()
                        .map(|g| {
                            vec![
                                g.name.clone(),
                                g.members.to_string(),
                                g.linked_units.to_string(),
                                if g.grants_user_administration {
                                    "user admin!".into()
                                } else {
                                    String::new()
                                },
                                format_time(g.updated_at),
                                g.id.clone(),
                            ]
                        })
                        .collect();
                    print!(
                        "{}",
                        table(
                            &["NAME", "MEMBERS", "UNITS", "WARNING", "UPDATED", "ID"],
                            &rows
                        )
                    );
                    Ok(())
                }
            }
        }
        GroupsCommand::Get { group } => show_group(out, &g.get(target, group).await?),
        GroupsCommand::Create {
            name,
            description,
            permissions,
            yes,
        } => {
            let permissions = permissions.as_deref().map(read_json).transpose()?;
            confirm(&format!("Create group {name}?"), *yes)?;
            show_change(
                out,
                &g.create(target, name, description, permissions.as_ref(), &q)
                    .await?,
            )
        }
        GroupsCommand::Edit {
            group,
            name,
            description,
            yes,
        } => {
            confirm(&format!("Change group {group}?"), *yes)?;
            show_change(
                out,
                &g.edit(target, group, name.as_deref(), description.as_deref(), &q)
                    .await?,
            )
        }
        GroupsCommand::Delete { group, yes } => {
            let found = g.get(target, group).await?;
            confirm(
                &format!(
                    "Delete group {} ({} members keep their accounts; what it grants stops at once)?",
                    found.name,
                    found.members.len()
                ),
                *yes,
            )?;
            let gone = g.delete(target, &found.id, &q).await?;
            match out {
                Output::Json => print_json(&gone),
                Output::Table => {
                    println!("deleted group {}", gone.name);
                    Ok(())
                }
            }
        }
        GroupsCommand::AddMember { group, users, yes } => {
            confirm(&format!("Add {} to {group}?", users.join(", ")), *yes)?;
            show_change(out, &g.add_members(target, group, users, &q).await?)
        }
        GroupsCommand::RemoveMember { group, users, yes } => {
            confirm(&format!("Remove {} from {group}?", users.join(", ")), *yes)?;
            show_change(out, &g.remove_members(target, group, users, &q).await?)
        }
        GroupsCommand::LinkUnits { group, units, yes } => {
            confirm(&format!("Link {group} to {} unit(s)?", units.len()), *yes)?;
            show_change(out, &g.link_units(target, group, units, &q).await?)
        }
        GroupsCommand::Limit {
            group,
            model,
            set,
            clear,
            yes,
        } => {
            if set.is_none() && !*clear {
                return Err("give --set N or --clear".into());
            }
            confirm(&format!("Change {group}'s limit for {model}?"), *yes)?;
            show_change(out, &g.set_limit(target, group, model, *set, &q).await?)
        }
        GroupsCommand::Permissions(GroupPermissionsCommand::Get { group }) => {
            let found = g.get(target, group).await?;
            for w in &found.warnings {
                eprintln!("warning: {w}");
            }
            print_json(&found.permissions.unwrap_or(Value::Null))
        }
        GroupsCommand::Permissions(GroupPermissionsCommand::Set {
            group,
            file,
            keys,
            yes,
        }) => {
            let change = match (file, keys.as_slice()) {
                (Some(path), []) => {
                    let permissions = read_json(path)?;
                    confirm(&format!("Replace every permission of {group}?"), *yes)?;
                    g.set_permissions(target, group, &permissions, &q).await?
                }
                (None, keys) if !keys.is_empty() => {
                    let parsed = keys
                        .iter()
                        .map(|k| parse_key(k))
                        .collect::<Result<Vec<_>, _>>()?;
                    confirm(&format!("Set {} on {group}?", keys.join(", ")), *yes)?;
                    g.set_permission_keys(target, group, &parsed, &q).await?
                }
                _ => return Err("give a JSON file, or --set section.key=value (not both)".into()),
            };
            show_change(out, &change)
        }
    }
}

pub async fn defaults(
    console: &Console,
    target: &Target,
    command: &DefaultsCommand,
    out: Output,
) -> CliResult<()> {
    let defaults = console.defaults();
    match command {
        DefaultsCommand::Get => {
            let d = defaults.get(target).await?;
            if d.never_saved {
                eprintln!(
                    "note: default permissions were never saved; users get the deployment's built-in values"
                );
            }
            match out {
                Output::Json => print_json(&d.view),
                Output::Table => print_json(&d.view),
            }
        }
        DefaultsCommand::Set { file, yes } => {
            let wanted = read_json(file)?;
            let plan = defaults.plan(&wanted);
            for note in &plan.notes {
                eprintln!("note: {note}");
            }
            confirm(
                "The server replaces the whole object with exactly this. Save?",
                *yes,
            )?;
            let saved = defaults.set(target, &wanted, &Observer::quiet()).await?;
            print_json(&saved.body)
        }
    }
}

pub async fn sa(
    console: &Console,
    target: &Target,
    command: &SaCommand,
    out: Output,
) -> CliResult<()> {
    match command {
        SaCommand::Get => {
            let state = console.users().super_admin_state(target).await?;
            let text = match &state {
                None => "unknown: the configuration is not readable by this account".to_owned(),
                Some(cloo_domain::admin::SuperAdminState::Unset) => {
                    "not set (pending users see the first user)".to_owned()
                }
                Some(cloo_domain::admin::SuperAdminState::Admin { email, .. }) => email.clone(),
                Some(cloo_domain::admin::SuperAdminState::NotAdmin { email, role, .. }) => {
                    format!("{email}, who is no longer an admin (role {role})")
                }
                Some(cloo_domain::admin::SuperAdminState::Missing { email }) => {
                    format!("{email}, which no user has any more")
                }
            };
            match out {
                Output::Json => print_json(&json!({"super_admin": text})),
                Output::Table => {
                    println!("Super Admin: {text}");
                    Ok(())
                }
            }
        }
        SaCommand::Set { user, yes } => {
            confirm(
                &format!("Make {user} the Super Admin (replacing the current one)?"),
                *yes,
            )?;
            let view = console
                .users()
                .set_super_admin(target, user, &Observer::quiet())
                .await?;
            let email = view.email.unwrap_or_default();
            match out {
                Output::Json => print_json(&json!({"email": email})),
                Output::Table => {
                    println!("{email} is the Super Admin");
                    Ok(())
                }
            }
        }
    }
}
