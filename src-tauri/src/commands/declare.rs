//! The `commands!` macro: from one declaration per command (in `registry.rs`) it makes the Tauri
//! command, the handler list, the list of names (for `build.rs`'s permissions and capability:
//! `build.rs` includes the same registry with its own `commands!` that keeps only the names),
//! and the TypeScript map of every command's arguments and result.
//!
//! A declaration reads `call fn name(arg: Type, …) -> Result => handler;` for an ordinary
//! command, or `upload fn name(arg: String, …) -> Result => handler;` for one whose body is a
//! file's raw bytes, its other arguments travelling as percent-encoded headers.

/// `file_name` → `file-name`: the header an upload's argument travels in.
pub fn header(name: &str) -> String {
    name.replace('_', "-")
}

/// The TypeScript command map (built by a test; nothing of it ships in the app).
#[cfg(test)]
pub mod ts {
    use super::header;
    use std::collections::BTreeSet;
    use std::marker::PhantomData;
    use tauri::ipc::Channel;
    use ts_rs::{Config, TS, TypeVisitor};

    /// A type's TypeScript name and the exported binding types it names.
    pub struct TsOf<T: ?Sized>(pub PhantomData<T>);

    /// For every type with a `TS` impl.
    pub trait TsPlain {
        /// TypeScript name.
        fn ts_name(&self) -> String;
        /// Exported types named, as `Name@path` (the path from the bindings folder, or a
        /// package after `@@`).
        fn ts_imports(&self, into: &mut BTreeSet<String>);
    }

    impl<T: TS + ?Sized + 'static> TsPlain for TsOf<T> {
        fn ts_name(&self) -> String {
            T::name(&Config::from_env())
        }
        fn ts_imports(&self, into: &mut BTreeSet<String>) {
            collect::<T>(into);
        }
    }

    impl<T: TS + 'static> TsOf<Channel<T>> {
        /// A channel of `T`, as `@tauri-apps/api` names it.
        pub fn ts_name(&self) -> String {
            format!("Channel<{}>", T::name(&Config::from_env()))
        }
        /// The channel's item types, and the channel itself.
        pub fn ts_imports(&self, into: &mut BTreeSet<String>) {
            into.insert("Channel@@tauri-apps/api/core".to_owned());
            collect::<T>(into);
        }
    }

    /// The exported types a type names: itself when it is exported, else its generic arguments'.
    fn collect<T: TS + ?Sized + 'static>(into: &mut BTreeSet<String>) {
        struct Collect<'a>(&'a mut BTreeSet<String>);
        impl TypeVisitor for Collect<'_> {
            fn visit<U: TS + 'static + ?Sized>(&mut self) {
                if let Some(path) = U::output_path() {
                    // Also (re)writes its binding with its dependencies', so every type the map
                    // names has a file even when no other binding refers to it.
                    if let Err(e) = U::export_all(&Config::from_env()) {
                        panic!("exporting {}: {e}", U::ident(&Config::from_env()));
                    }
                    let path = path.with_extension("").to_string_lossy().replace('\\', "/");
                    self.0
                        .insert(format!("{}@{path}", U::ident(&Config::from_env())));
                } else {
                    U::visit_generics(self);
                }
            }
        }
        Collect(into).visit::<T>();
    }

    /// One argument of a command, for the TypeScript map.
    pub struct ArgSpec {
        /// Its Rust name.
        pub name: &'static str,
        /// Its TypeScript type.
        pub ts: String,
    }

    /// One command, for the TypeScript map.
    pub struct CommandSpec {
        /// `call` or `upload`.
        pub kind: &'static str,
        /// The command's name.
        pub name: &'static str,
        /// Its arguments.
        pub args: Vec<ArgSpec>,
        /// Its result's TypeScript type.
        pub result: String,
    }

    /// The TypeScript command map of `specs`, importing `imports` from the bindings folder.
    pub fn typescript(specs: &[CommandSpec], imports: &BTreeSet<String>) -> String {
        let mut out = String::from(
            "// Generated from src-tauri/src/commands/registry.rs by `cargo test -p cloosphere-console \
             export_command_map`: do not edit.\n",
        );
        for import in imports {
            let (name, path) = import.split_once('@').unwrap_or((import, import));
            let from = if path.starts_with('@') {
                path.to_owned()
            } else {
                format!("./{path}")
            };
            out.push_str(&format!("import type {{ {name} }} from '{from}';\n"));
        }
        let fields = |spec: &CommandSpec| {
            if spec.args.is_empty() {
                "Record<string, never>".to_owned()
            } else {
                let parts: Vec<String> = spec
                    .args
                    .iter()
                    .map(|a| format!("{}: {}", camel(a.name), a.ts))
                    .collect();
                format!("{{ {} }}", parts.join("; "))
            }
        };
        for (kind, title) in [("call", "Commands"), ("upload", "Uploads")] {
            out.push_str(&format!(
                "\n/** {}: arguments and result of each. */\nexport interface {title} {{\n",
                if kind == "call" {
                    "Every command the window may call"
                } else {
                    "Commands whose body is a file's bytes, their arguments sent as headers"
                }
            ));
            for spec in specs.iter().filter(|s| s.kind == kind) {
                out.push_str(&format!(
                    "  {}: {{ args: {}; result: {} }};\n",
                    spec.name,
                    fields(spec),
                    spec.result
                ));
            }
            out.push_str("}\n");
        }
        out.push_str("\n/** The header each upload argument travels in. */\nexport const UPLOAD_HEADERS: { [K in keyof Uploads]: Record<keyof Uploads[K]['args'], string> } = {\n");
        for spec in specs.iter().filter(|s| s.kind == "upload") {
            let parts: Vec<String> = spec
                .args
                .iter()
                .map(|a| format!("{}: '{}'", camel(a.name), header(a.name)))
                .collect();
            out.push_str(&format!("  {}: {{ {} }},\n", spec.name, parts.join(", ")));
        }
        out.push_str("};\n");
        out
    }

    /// `file_name` → `fileName`: how Tauri names a command's arguments on the JavaScript side.
    pub fn camel(name: &str) -> String {
        let mut out = String::new();
        let mut upper = false;
        for c in name.chars() {
            if c == '_' {
                upper = true;
            } else if upper {
                out.extend(c.to_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// Declares the desktop's commands; see the module documentation.
macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        $kind:ident fn $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty => $handler:path ;
    )*) => {
        $(
            commands!(@command $kind $(#[doc = $doc])* $name ( $($arg : $ty),* ) -> $ret => $handler);
        )*

        /// Every command's name, in declaration order.
        #[cfg(test)]
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// The handler Tauri dispatches invocations with.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// Every command's TypeScript signature.
        #[cfg(test)]
        #[allow(unused_imports)]
        pub fn specs() -> (Vec<$crate::commands::declare::ts::CommandSpec>, std::collections::BTreeSet<String>) {
            use $crate::commands::declare::ts::{ArgSpec, CommandSpec, TsOf, TsPlain};
            let mut imports = std::collections::BTreeSet::new();
            let mut specs = Vec::new();
            $(
                TsOf::<$ret>(std::marker::PhantomData).ts_imports(&mut imports);
                $( TsOf::<$ty>(std::marker::PhantomData).ts_imports(&mut imports); )*
                specs.push(CommandSpec {
                    kind: stringify!($kind),
                    name: stringify!($name),
                    args: vec![$(ArgSpec {
                        name: stringify!($arg),
                        ts: TsOf::<$ty>(std::marker::PhantomData).ts_name(),
                    }),*],
                    result: TsOf::<$ret>(std::marker::PhantomData).ts_name(),
                });
            )*
            (specs, imports)
        }
    };

    (@command call $(#[doc = $doc:literal])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty => $handler:path) => {
        $(#[doc = $doc])*
        #[tauri::command]
        pub async fn $name(
            shell: tauri::State<'_, $crate::commands::Shell>,
            $($arg: $ty),*
        ) -> $crate::commands::Reply<$ret> {
            $handler(&shell, $($arg),*).await
        }
    };

    (@command upload $(#[doc = $doc:literal])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty => $handler:path) => {
        $(#[doc = $doc])*
        #[tauri::command]
        pub async fn $name(
            shell: tauri::State<'_, $crate::commands::Shell>,
            request: tauri::ipc::Request<'_>,
        ) -> $crate::commands::Reply<$ret> {
            let upload = $crate::commands::upload::Upload::from_request(&request)?;
            $(
                let $arg: $ty = upload.arg(&$crate::commands::declare::header(stringify!($arg)))?;
            )*
            $handler(&shell, upload.bytes, $($arg),*).await
        }
    };
}

pub(crate) use commands;

#[cfg(test)]
mod tests {
    use super::ts::camel;
    use super::*;

    #[test]
    fn names_convert_like_tauri_and_the_headers() {
        assert_eq!(camel("typed_email"), "typedEmail");
        assert_eq!(camel("tenant"), "tenant");
        assert_eq!(header("file_name"), "file-name");
    }
}
