//! Load-time checking of a rule's CEL against the [fact schema](super::schema).
//!
//! The parsed expression is walked with a scope of bound names: a macro
//! (`all`, `exists`, `exists_one`, `map`, `filter`) binds its variable to an
//! element of the list it iterates (or a key of the map), an inner binding
//! shadows an outer one, and every other identifier must be a variable of
//! the subject kind (or a CEL type name such as `int`). Each field
//! selection, index and `has()` follows the shape of what it selects from,
//! so `tls.versoin` or `cert.days_lef` is refused with the closest known
//! name. Operators and the functions of the rule environment are checked
//! where the shapes say for certain that the call cannot work (`"n=" + 3`,
//! `tls.chain_length.startsWith("1")`, an unknown function); anything whose
//! shape is not known (`Any`) is let through. The checker never evaluates a
//! fact.

use super::schema::{Shape, Variable};
use cel::common::ast::{CallExpr, ComprehensionExpr, EntryExpr, Expr, IdedExpr, LiteralValue, operators};
use std::collections::BTreeSet;

/// Why an expression cannot run on its subject kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CheckError {
    /// The offending expression as written (`tls.versoin`).
    pub path: String,
    /// What is wrong, naming the closest known name when there is one.
    pub message: String,
}

/// What a checked expression reads and gives.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The subject variables it reads, sorted.
    pub variables: Vec<&'static str>,
    /// The shape of its result (`Any` when it cannot be told).
    pub result: Shape,
}

/// Functions of the rule environment, for "did you mean" only: whether a
/// name is a function is asked of the environment itself.
pub const FUNCTIONS: &[&str] = &[
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "string",
    "int",
    "uint",
    "double",
    "bool",
    "bytes",
    "type",
    "dyn",
    "join",
    "lowerAscii",
    "upperAscii",
    "trim",
    "replace",
    "split",
    "substring",
    "charAt",
    "indexOf",
    "lastIndexOf",
    "format",
    "reverse",
    "strings.quote",
];

/// The macros and how they are called, for the message when one is called
/// with the wrong arguments (it then parses as a plain call).
const MACROS: &[(&str, &str)] = &[
    ("has", "has(x.field)"),
    ("all", "list.all(x, predicate)"),
    ("exists", "list.exists(x, predicate)"),
    ("exists_one", "list.exists_one(x, predicate)"),
    ("existsOne", "list.existsOne(x, predicate)"),
    ("map", "list.map(x, expression) or list.map(x, predicate, expression)"),
    ("filter", "list.filter(x, predicate)"),
];

/// Checks `expr` for a subject of `kind` whose variables are `vars`.
pub fn check(expr: &IdedExpr, kind: &str, vars: &'static [Variable]) -> Result<Checked, CheckError> {
    let mut c = Checker {
        kind,
        vars,
        scope: Vec::new(),
        read: BTreeSet::new(),
    };
    let result = c.infer(expr)?;
    Ok(Checked {
        variables: c.read.into_iter().collect(),
        result,
    })
}

/// A name bound by a macro.
struct Binding {
    name: String,
    shape: Shape,
    /// What it stands for, for messages: "an element of `tls.chain`".
    origin: String,
}

struct Checker<'a> {
    kind: &'a str,
    vars: &'static [Variable],
    scope: Vec<Binding>,
    read: BTreeSet<&'static str>,
}

/// The expression as written, roughly: for messages.
fn text(e: &IdedExpr) -> String {
    match &e.expr {
        Expr::Ident(n) if n.starts_with('@') => "…".into(),
        Expr::Ident(n) => n.clone(),
        Expr::Select(s) if s.test => format!("has({}.{})", text(&s.operand), s.field),
        Expr::Select(s) => format!("{}.{}", text(&s.operand), s.field),
        Expr::Literal(LiteralValue::String(s)) => format!("{:?}", s.inner()),
        Expr::Literal(LiteralValue::Int(i)) => i.inner().to_string(),
        Expr::Literal(_) => "literal".into(),
        Expr::Call(c) if c.func_name == operators::INDEX && c.args.len() == 2 => {
            format!("{}[{}]", text(&c.args[0]), text(&c.args[1]))
        }
        Expr::Call(c) => match &c.target {
            Some(t) => format!("{}.{}(…)", text(t), c.func_name),
            None if is_operator(&c.func_name) => "(…)".into(),
            None => format!("{}(…)", c.func_name),
        },
        Expr::Comprehension(c) => format!("{}.<macro>(…)", text(&c.iter_range)),
        _ => "…".into(),
    }
}

fn is_operator(name: &str) -> bool {
    name.starts_with(['_', '@', '!', '-'])
}

/// What a shape is, in a message: "a string", "a list of maps", "a map".
fn a(shape: &Shape) -> String {
    let d = shape.describe();
    match d.chars().next() {
        Some('a' | 'i' | 'o' | 'u' | 'e') => format!("an {d}"),
        _ => format!("a {d}"),
    }
}

/// The comparable category of a shape whose kind is certain, or none.
fn category(shape: &Shape) -> Option<&'static str> {
    match shape {
        Shape::Bool => Some("bool"),
        Shape::Int | Shape::Float => Some("number"),
        Shape::String => Some("string"),
        Shape::List(_) => Some("list"),
        Shape::Object(_) | Shape::Map(_) => Some("map"),
        Shape::Nullable(inner) => category(inner),
        Shape::Null | Shape::Any => None,
    }
}

fn strip_null(shape: &Shape) -> &Shape {
    match shape {
        Shape::Nullable(inner) => inner,
        other => other,
    }
}

/// The shape of a value that is either `a` or `b`.
fn unify(a: Shape, b: Shape) -> Shape {
    if a == b {
        return a;
    }
    match (a, b) {
        (Shape::Null, Shape::Nullable(x)) | (Shape::Nullable(x), Shape::Null) => Shape::Nullable(x),
        (Shape::Null, x) | (x, Shape::Null) => Shape::nullable(x),
        (Shape::Nullable(x), y) | (y, Shape::Nullable(x)) if *x == y => Shape::Nullable(x),
        (Shape::Int | Shape::Float, Shape::Int | Shape::Float) => Shape::Float,
        _ => Shape::Any,
    }
}

fn suggestion(word: &str, candidates: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let owned: Vec<String> = candidates.into_iter().map(|c| c.as_ref().to_string()).collect();
    match crate::model::error::did_you_mean(word, owned.iter().map(String::as_str)) {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

/// Whether the rule environment has a function `name`, called as a member
/// (`x.name()`) or globally (`name()`), asked by calling it without
/// arguments: only an unknown name is an undeclared reference.
fn is_function(name: &str, member: bool) -> bool {
    let source = if member {
        format!("0.{name}()")
    } else {
        format!("{name}()")
    };
    let env = super::rules::cel_env();
    let Ok(program) = env.compile(&source) else {
        return false;
    };
    let cx = cel::Context::with_env(env);
    // A function that panics on missing arguments would be a bug in the
    // CEL library: count it as existing rather than bring the loader down.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| program.execute(&cx))) {
        Ok(Err(cel::ExecutionError::UndeclaredReference(n))) => {
            let first = name.split('.').next().unwrap_or(name);
            n.as_str() != name && n.as_str() != first
        }
        _ => true,
    }
}

impl Checker<'_> {
    fn bound(&self, name: &str) -> Option<&Binding> {
        self.scope.iter().rev().find(|b| b.name == name)
    }

    fn variable(&self, name: &str) -> Option<&'static Variable> {
        self.vars.iter().find(|v| v.name == name)
    }

    fn is_name(&self, name: &str) -> bool {
        self.bound(name).is_some() || self.variable(name).is_some()
    }

    fn err(&self, path: String, message: String) -> CheckError {
        // Say what a macro variable stands for.
        let root: String = path
            .trim_start_matches("has(")
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let message = match self.bound(&root) {
            Some(b) if !b.origin.is_empty() => format!("{message} (`{root}` is {})", b.origin),
            _ => message,
        };
        CheckError { path, message }
    }

    fn unknown_name(&self, name: &str) -> CheckError {
        let known: Vec<&str> = self.vars.iter().map(|v| v.name).collect();
        let mut candidates: Vec<&str> = known.clone();
        candidates.extend(self.scope.iter().map(|b| b.name.as_str()));
        let article = if self.kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        self.err(
            name.to_string(),
            format!(
                "uses `{name}`, which is not a fact of {article} {}{}; known: {}",
                self.kind,
                suggestion(name, candidates),
                known.join(", ")
            ),
        )
    }

    fn infer(&mut self, e: &IdedExpr) -> Result<Shape, CheckError> {
        match &e.expr {
            Expr::Unspecified => Ok(Shape::Any),
            Expr::Literal(l) => Ok(match l {
                LiteralValue::Boolean(_) => Shape::Bool,
                LiteralValue::Int(_) | LiteralValue::UInt(_) => Shape::Int,
                LiteralValue::Double(_) => Shape::Float,
                LiteralValue::String(_) => Shape::String,
                LiteralValue::Null => Shape::Null,
                LiteralValue::Bytes(_) => Shape::Any,
            }),
            Expr::Ident(name) => self.ident(name),
            Expr::Select(s) => {
                // A dotted name that is no variable may be a type name.
                if let Some(segments) = e.expr_segments()
                    && !self.is_name(segments[0])
                    && super::rules::cel_env().types().find_type(&segments.join(".")).is_some()
                {
                    return Ok(Shape::Any);
                }
                let operand = self.infer(&s.operand)?;
                let field = self.field(&operand, &s.operand, &s.field)?;
                Ok(if s.test { Shape::Bool } else { field })
            }
            Expr::List(list) => {
                let mut element: Option<Shape> = None;
                for item in &list.elements {
                    let s = self.infer(item)?;
                    element = Some(match element {
                        None => s,
                        Some(prev) => unify(prev, s),
                    });
                }
                Ok(Shape::list(element.unwrap_or(Shape::Any)))
            }
            Expr::Map(map) => {
                self.entries(&map.entries)?;
                Ok(Shape::map(Shape::Any))
            }
            Expr::Struct(st) => {
                self.entries(&st.entries)?;
                Ok(Shape::Any)
            }
            Expr::Comprehension(c) => self.comprehension(c),
            Expr::Call(call) => self.call(e, call),
        }
    }

    fn ident(&mut self, name: &str) -> Result<Shape, CheckError> {
        if let Some(b) = self.bound(name) {
            return Ok(b.shape.clone());
        }
        if let Some(v) = self.variable(name) {
            self.read.insert(v.name);
            return Ok(v.shape.clone());
        }
        if super::rules::cel_env().types().find_type(name).is_some() {
            return Ok(Shape::Any);
        }
        Err(self.unknown_name(name))
    }

    /// The shape of `operand.field` (also `operand["field"]`, `has()`).
    fn field(&self, shape: &Shape, operand: &IdedExpr, field: &str) -> Result<Shape, CheckError> {
        let path = format!("{}.{field}", text(operand));
        match shape {
            Shape::Any => Ok(Shape::Any),
            Shape::Nullable(inner) => self.field(inner, operand, field),
            Shape::Map(v) => Ok((**v).clone()),
            Shape::Object(fields) => match fields.get(field) {
                Some(f) => Ok(f.shape.clone()),
                None => Err(self.err(
                    path.clone(),
                    format!(
                        "reads `{path}`, but `{}` has no field `{field}`{}; its fields: {}",
                        text(operand),
                        suggestion(field, fields.keys()),
                        fields.keys().copied().collect::<Vec<_>>().join(", ")
                    ),
                )),
            },
            Shape::Null => Err(self.err(
                path.clone(),
                format!("reads `{path}`, but `{}` is always null", text(operand)),
            )),
            other => Err(self.err(
                path.clone(),
                format!(
                    "reads `{path}`, but `{}` is {}, which has no fields",
                    text(operand),
                    a(other)
                ),
            )),
        }
    }

    /// The shape of the elements a macro iterates over `range` binds: list
    /// elements, or map keys.
    fn elements(&self, shape: &Shape, range: &IdedExpr) -> Result<(Shape, String), CheckError> {
        let t = text(range);
        match shape {
            Shape::Any => Ok((Shape::Any, String::new())),
            Shape::Nullable(inner) => self.elements(inner, range),
            Shape::List(e) => Ok(((**e).clone(), format!("an element of `{t}`"))),
            Shape::Map(_) | Shape::Object(_) => Ok((Shape::String, format!("a key of `{t}`"))),
            other => Err(self.err(
                t.clone(),
                format!("iterates over `{t}`, but it is {}, not a list or a map", a(other)),
            )),
        }
    }

    /// Checks every key and value of a map or struct literal.
    fn entries(&mut self, entries: &[cel::common::ast::IdedEntryExpr]) -> Result<(), CheckError> {
        for entry in entries {
            match &entry.expr {
                EntryExpr::MapEntry(m) => {
                    self.infer(&m.key)?;
                    self.infer(&m.value)?;
                }
                EntryExpr::StructField(f) => {
                    self.infer(&f.value)?;
                }
            }
        }
        Ok(())
    }

    fn comprehension(&mut self, c: &ComprehensionExpr) -> Result<Shape, CheckError> {
        let range = self.infer(&c.iter_range)?;
        let (element, origin) = self.elements(&range, &c.iter_range)?;
        let init = self.infer(&c.accu_init)?;
        let depth = self.scope.len();
        self.scope.push(Binding {
            name: c.accu_var.clone(),
            shape: init.clone(),
            origin: String::new(),
        });
        match &c.iter_var2 {
            // Two-variable form: index or key, then the value.
            Some(second) => {
                let (first, value) = match strip_null(&range) {
                    Shape::List(e) => (Shape::Int, (**e).clone()),
                    Shape::Map(v) => (Shape::String, (**v).clone()),
                    _ => (Shape::Any, Shape::Any),
                };
                self.scope.push(Binding {
                    name: c.iter_var.clone(),
                    shape: first,
                    origin: String::new(),
                });
                self.scope.push(Binding {
                    name: second.clone(),
                    shape: value,
                    origin: String::new(),
                });
            }
            None => self.scope.push(Binding {
                name: c.iter_var.clone(),
                shape: element,
                origin,
            }),
        }
        let looped = (|| {
            self.infer(&c.loop_cond)?;
            self.infer(&c.loop_step)?;
            // `map` and `filter` append one element per step: their result
            // is a list of that element's shape.
            match appended(&c.loop_step, &c.accu_var) {
                Some(item) if matches!(init, Shape::List(_)) => Ok(Shape::list(self.infer(item)?)),
                _ => Ok(init.clone()),
            }
        })();
        self.scope.truncate(depth);
        let accu = looped?;
        self.scope.push(Binding {
            name: c.accu_var.clone(),
            shape: accu,
            origin: String::new(),
        });
        let result = self.infer(&c.result);
        self.scope.truncate(depth);
        result
    }

    fn call(&mut self, whole: &IdedExpr, call: &CallExpr) -> Result<Shape, CheckError> {
        let f = call.func_name.as_str();
        // Operators and the special forms first.
        if f == operators::INDEX || f == operators::OPT_INDEX {
            let [container, key] = call.args.as_slice() else {
                return Ok(Shape::Any);
            };
            let c = self.infer(container)?;
            let k = self.infer(key)?;
            let item = self.index(&c, container, key, &k)?;
            return Ok(if f == operators::OPT_INDEX { Shape::Any } else { item });
        }
        if f == operators::OPT_SELECT {
            if let [operand, field] = call.args.as_slice() {
                let o = self.infer(operand)?;
                if let Expr::Literal(LiteralValue::String(name)) = &field.expr {
                    self.field(&o, operand, name.inner())?;
                }
            }
            return Ok(Shape::Any);
        }
        if f == operators::IN {
            let [item, container] = call.args.as_slice() else {
                return Ok(Shape::Bool);
            };
            let i = self.infer(item)?;
            let c = self.infer(container)?;
            if let (Shape::Object(_), Expr::Literal(LiteralValue::String(key))) = (strip_null(&c), &item.expr) {
                // `"key" in tls` is `has(tls.key)`: a key it never has is a typo.
                self.field(&c, container, key.inner())?;
            }
            match strip_null(&c) {
                Shape::List(_) | Shape::Map(_) | Shape::Object(_) | Shape::Any => {}
                other => {
                    return Err(self.err(
                        text(whole),
                        format!(
                            "tests `{} in {}`, but `{}` is {}, not a list or a map",
                            text(item),
                            text(container),
                            text(container),
                            a(other)
                        ),
                    ));
                }
            }
            let _ = i;
            return Ok(Shape::Bool);
        }

        // The receiver, or a namespace (`strings.quote`).
        let mut receiver: Option<Shape> = None;
        let mut name = f.to_string();
        if let Some(target) = &call.target {
            match target.expr_segments() {
                Some(segments) if !self.is_name(segments[0]) => {
                    let qualified = format!("{}.{f}", segments.join("."));
                    if !is_function(&qualified, false) {
                        let namespace = FUNCTIONS.iter().any(|k| k.starts_with(&format!("{}.", segments[0])));
                        if !namespace {
                            return Err(self.unknown_name(segments[0]));
                        }
                        return Err(self.err(
                            qualified.clone(),
                            format!(
                                "calls `{qualified}`, which is not a function of the rule environment{}",
                                suggestion(&qualified, FUNCTIONS)
                            ),
                        ));
                    }
                    name = qualified;
                }
                _ => receiver = Some(self.infer(target)?),
            }
        }
        if !is_operator(f) && name == f && !is_function(f, receiver.is_some()) {
            let message = match MACROS.iter().find(|(m, _)| *m == f) {
                Some((_, usage)) => format!("calls `{f}` with the wrong arguments: it is written `{usage}`"),
                None => format!(
                    "calls `{f}`, which is not a function of the rule environment{}",
                    suggestion(f, FUNCTIONS.iter().chain(MACROS.iter().map(|(m, _)| m)))
                ),
            };
            return Err(self.err(text(whole), message));
        }
        let mut args = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            args.push(self.infer(arg)?);
        }
        if is_operator(f) {
            return self.operator(whole, call, &args);
        }
        // Receivers the standard and strings functions cannot take.
        let on = receiver.as_ref().map(strip_null);
        let wants = match f {
            "contains" | "startsWith" | "endsWith" | "lowerAscii" | "upperAscii" | "trim" | "replace" | "split"
            | "substring" | "charAt" | "indexOf" | "lastIndexOf" | "format" | "reverse" => Some("string"),
            "join" => Some("list"),
            _ => None,
        };
        if let (Some(want), Some(r)) = (wants, on)
            && let Some(got) = category(r)
            && got != want
            && let Some(target) = &call.target
        {
            return Err(self.err(
                text(whole),
                format!(
                    "calls `{f}` on `{}`, which is {}: `{f}` works on a {want}",
                    text(target),
                    a(r)
                ),
            ));
        }
        if f == "size"
            && let Some(s) = on.or(args.first().map(strip_null))
            && matches!(s, Shape::Bool | Shape::Int | Shape::Float | Shape::Null)
        {
            return Err(self.err(text(whole), format!("takes the size of {}, which has none", a(s))));
        }
        Ok(match name.as_str() {
            "size" | "int" | "indexOf" | "lastIndexOf" => Shape::Int,
            "double" => Shape::Float,
            "bool" | "contains" | "startsWith" | "endsWith" => Shape::Bool,
            "string" | "lowerAscii" | "upperAscii" | "trim" | "replace" | "substring" | "charAt" | "format"
            | "join" | "strings.quote" => Shape::String,
            "reverse" if matches!(on, Some(Shape::String)) => Shape::String,
            "split" => Shape::list(Shape::String),
            _ => Shape::Any,
        })
    }

    fn index(&self, c: &Shape, container: &IdedExpr, key: &IdedExpr, k: &Shape) -> Result<Shape, CheckError> {
        let path = format!("{}[{}]", text(container), text(key));
        match c {
            Shape::Any => Ok(Shape::Any),
            Shape::Nullable(inner) => self.index(inner, container, key, k),
            Shape::Map(v) => Ok((**v).clone()),
            Shape::Object(_) => match &key.expr {
                Expr::Literal(LiteralValue::String(name)) => self.field(c, container, name.inner()),
                _ => Ok(Shape::Any),
            },
            Shape::List(e) => match category(k) {
                Some("number") | None => Ok((**e).clone()),
                Some(_) => Err(self.err(
                    path.clone(),
                    format!(
                        "reads `{path}`, but `{}` is a list: its index is an int, not {}",
                        text(container),
                        a(k)
                    ),
                )),
            },
            other => Err(self.err(
                path.clone(),
                format!(
                    "reads `{path}`, but `{}` is {}, which has no entries",
                    text(container),
                    a(other)
                ),
            )),
        }
    }

    fn operator(&self, whole: &IdedExpr, call: &CallExpr, args: &[Shape]) -> Result<Shape, CheckError> {
        let f = call.func_name.as_str();
        let pair = |i: usize| args.get(i).and_then(category);
        let mismatch = |verb: &str| -> CheckError {
            let side = |i: usize| {
                format!(
                    "`{}` ({})",
                    call.args.get(i).map(text).unwrap_or_default(),
                    args.get(i).map(a).unwrap_or_default()
                )
            };
            self.err(text(whole), format!("{verb} {} and {}", side(0), side(1)))
        };
        match f {
            operators::LOGICAL_AND | operators::LOGICAL_OR | operators::LOGICAL_NOT => {
                for (i, s) in args.iter().enumerate() {
                    if let Some(cat) = category(s)
                        && cat != "bool"
                    {
                        return Err(self.err(
                            text(whole),
                            format!(
                                "uses `{}` as a condition, but it is {}",
                                call.args.get(i).map(text).unwrap_or_default(),
                                a(s)
                            ),
                        ));
                    }
                }
                Ok(Shape::Bool)
            }
            operators::NOT_STRICTLY_FALSE => Ok(Shape::Bool),
            operators::EQUALS | operators::NOT_EQUALS => match (pair(0), pair(1)) {
                (Some(x), Some(y)) if x != y => Err(mismatch("compares (always unequal)")),
                _ => Ok(Shape::Bool),
            },
            operators::LESS | operators::LESS_EQUALS | operators::GREATER | operators::GREATER_EQUALS => {
                match (pair(0), pair(1)) {
                    (Some(x), Some(y)) if x != y || !matches!(x, "number" | "string") => Err(mismatch("orders")),
                    _ => Ok(Shape::Bool),
                }
            }
            operators::ADD => match (pair(0), pair(1)) {
                (Some(x), Some(y)) if x != y || !matches!(x, "number" | "string" | "list") => {
                    let mut e = mismatch("adds");
                    if x == "string" || y == "string" {
                        e.message.push_str(": convert with `string(…)` first");
                    }
                    Err(e)
                }
                _ => Ok(match (args.first().map(strip_null), args.get(1).map(strip_null)) {
                    (Some(Shape::String), _) | (_, Some(Shape::String)) => Shape::String,
                    (Some(Shape::Int), Some(Shape::Int)) => Shape::Int,
                    (Some(Shape::List(x)), Some(Shape::List(y))) => Shape::list(unify((**x).clone(), (**y).clone())),
                    _ => Shape::Any,
                }),
            },
            operators::SUBSTRACT | operators::MULTIPLY | operators::DIVIDE | operators::MODULO => {
                match (pair(0), pair(1)) {
                    (Some(x), Some(y)) if x != "number" || y != "number" => Err(mismatch("does arithmetic on")),
                    _ => Ok(match (args.first(), args.get(1)) {
                        (Some(Shape::Int), Some(Shape::Int)) => Shape::Int,
                        _ => Shape::Any,
                    }),
                }
            }
            operators::NEGATE => match args.first() {
                Some(s) if category(s).is_some_and(|c| c != "number") => {
                    Err(self.err(text(whole), format!("negates {}", a(s))))
                }
                Some(s) => Ok(s.clone()),
                None => Ok(Shape::Any),
            },
            operators::CONDITIONAL => {
                if let Some(s) = args.first()
                    && category(s).is_some_and(|c| c != "bool")
                {
                    return Err(self.err(
                        text(whole),
                        format!(
                            "uses `{}` as the condition of `? :`, but it is {}",
                            call.args.first().map(text).unwrap_or_default(),
                            a(s)
                        ),
                    ));
                }
                Ok(match (args.get(1), args.get(2)) {
                    (Some(x), Some(y)) => unify(x.clone(), y.clone()),
                    _ => Shape::Any,
                })
            }
            _ => Ok(Shape::Any),
        }
    }
}

/// The element a `map` or `filter` step appends to the accumulator
/// `accu`: `accu + [item]`, possibly under a condition.
fn appended<'e>(step: &'e IdedExpr, accu: &str) -> Option<&'e IdedExpr> {
    let Expr::Call(call) = &step.expr else {
        return None;
    };
    match call.func_name.as_str() {
        operators::ADD => match call.args.as_slice() {
            [
                IdedExpr {
                    expr: Expr::Ident(a), ..
                },
                IdedExpr {
                    expr: Expr::List(list), ..
                },
            ] if a == accu && list.elements.len() == 1 => list.elements.first(),
            _ => None,
        },
        operators::CONDITIONAL => call.args.get(1).and_then(|s| appended(s, accu)),
        _ => None,
    }
}

/// The segments of a dotted name (`a.b.c`), or none for any other
/// expression.
trait Segments {
    fn expr_segments(&self) -> Option<Vec<&str>>;
}

impl Segments for IdedExpr {
    fn expr_segments(&self) -> Option<Vec<&str>> {
        let mut out = Vec::new();
        let mut e = self;
        loop {
            match &e.expr {
                Expr::Ident(n) => {
                    out.push(n.as_str());
                    out.reverse();
                    return Some(out);
                }
                Expr::Select(s) if !s.test => {
                    out.push(s.field.as_str());
                    e = &s.operand;
                }
                _ => return None,
            }
        }
    }
}
