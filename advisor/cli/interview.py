"""`advisor interview` and `advisor questionnaire lint|show`: the interview's command-line layer.

Parses options, runs the library (advisor.interview: questionnaire, answers, session) and turns its
results into output, files and exit codes. questionary, pandas and the scoring engine are
imported inside the commands, so registering these commands costs nothing at start-up.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.cli.common import PricingOption, RegionOption, cost_choices, encoding_option, fail, handle_errors
from advisor.errors import EXIT_INTERRUPTED, EXIT_INVALID_INPUT, InterviewInterrupted

if TYPE_CHECKING:
    from advisor.engine.explain import Recommendation
    from advisor.interview.answers import AnswerSet
    from advisor.interview.schema import Questionnaire
    from advisor.interview.session import Prompter
    from advisor.profile.fields import WorkloadProfile

DEFAULT_ANSWERS_FILE = "advisor-answers.yaml"

questionnaire_app = typer.Typer(help="Check or print interview questionnaires.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("interview")(interview)
    app.add_typer(questionnaire_app, name="questionnaire")


# ----------------------------------------------------------------------------- advisor interview


@handle_errors
def interview(
    questionnaire: Annotated[str | None, typer.Option(
        "--questionnaire", "-q", metavar="PATH|quick|default",
        help="Which questionnaire: quick (10 questions), default (the full interview) or a YAML file.")] = None,
    answers: Annotated[Path | None, typer.Option(
        "--answers", metavar="FILE", help="Answer from this answers file, without any prompt.")] = None,
    resume: Annotated[Path | None, typer.Option(
        "--resume", metavar="FILE", help="Continue an interview saved in FILE: ask only what is unanswered.")] = None,
    save: Annotated[Path | None, typer.Option(
        "--save", metavar="FILE", help="Write the answers to FILE (YAML), to run again with --answers.")] = None,
    profile: Annotated[Path | None, typer.Option(
        "--profile", metavar="FILE", help="Prefill from a profile file; skip the questions it already answers.")
    ] = None,
    from_: Annotated[Path | None, typer.Option(
        "--from", metavar="DESCRIPTOR",
        help="Prefill from a deployment descriptor (compose file, ECS task definition, ...).")] = None,
    service: Annotated[str | None, typer.Option(
        "--service", metavar="NAME", help="Which service of the --from descriptor.")] = None,
    plain: Annotated[bool, typer.Option(
        "--plain", help="Numbered prompts instead of arrow keys (automatic on terminals that cannot do more).")
    ] = False,
    format_: Annotated[str | None, typer.Option(
        "--format", "-f", metavar="table|json|yaml|markdown",
        help="Format of the recommendation (default: table on a terminal, json otherwise).")] = None,
    report: Annotated[Path | None, typer.Option(
        "--report", metavar="PATH", help="Write a decision report (.html or .md; .json for the JSON output).")
    ] = None,
    scaffold: Annotated[Path | None, typer.Option(
        "--scaffold", metavar="DIR", help="Write a starter configuration for the recommended runtime to DIR.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")] = False,
    pricing: PricingOption = "on-demand",
    region: RegionOption = None,
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Answer plain-language questions and get a recommendation, with its reasons.

    Type ? for help, choose "← Back" to change an answer, press Ctrl-C to stop and save.

    With --answers FILE it runs without prompts.
    """
    from advisor.files import note_inputs, refuse_input_overwrite, release_input, use_encoding
    from advisor.interview.answers import new_answer_set, read_answers

    costs = cost_choices(pricing, region)
    from advisor.interview.questionnaire import load_questionnaire
    from advisor.interview.schema import BUNDLED

    use_encoding(encoding)
    note_inputs(answers, profile, from_)
    if questionnaire is not None and questionnaire not in BUNDLED:
        note_inputs(questionnaire)
    for target in (save, report, scaffold):
        if target is not None:
            refuse_input_overwrite(target)
    if answers is not None and resume is not None:
        raise fail("give --answers (no prompts) or --resume (continue asking), not both", 2)
    if profile is not None and from_ is not None:
        raise fail("give --profile or --from, not both", 2)
    if service is not None and from_ is None:
        raise fail("--service names a service of the --from descriptor; give --from DESCRIPTOR too", 2)
    fmt = _output_format(format_)
    for path, what in ((save, "--save"), (report, "--report")):
        if path is not None and path.exists() and not force and not (what == "--save" and path == resume):
            raise fail(f"{what} {path}: the file exists; choose another path or add --force to overwrite it", 2)

    answers_file = answers or resume
    loaded_answers = read_answers(answers_file) if answers_file is not None else None
    if resume is not None:
        release_input(resume)  # the file resumed from is the session's own save file
    which: str | None = questionnaire
    if which is None and loaded_answers is not None:
        which = loaded_answers.questionnaire
        if which not in BUNDLED:
            raise fail(f"{answers or resume}: the answers are for questionnaire {which!r}, which is not bundled; "
                       "give its file with --questionnaire PATH", 2)
    chosen = load_questionnaire(which or "default")
    if loaded_answers is not None:
        _check_same_questionnaire(chosen, loaded_answers, answers or resume)
    answer_set = loaded_answers or new_answer_set(chosen)
    _prefill(answer_set, profile, from_, service)

    if answers is not None:
        _run_from_file(chosen, answer_set, answers, fmt, save, report, scaffold, force, costs=costs)
        return
    if not _stdin_is_terminal():
        raise fail("the interview needs a terminal, and stdin is not one. To run without prompts, give the "
                   "answers in a file: advisor interview --answers FILE (see `advisor questionnaire show` "
                   "for the question ids, or save a file with --save during an interview)", 2)
    _run_interactive(chosen, answer_set, fmt, save, resume, report, scaffold, force, plain, costs=costs)


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _output_format(value: str | None) -> Any:
    from advisor.outputs.formats import OutputFormat

    if value is None:
        return None
    try:
        return OutputFormat(value.strip().lower())
    except ValueError:
        raise fail(f"--format {value!r}: use one of {', '.join(f.value for f in OutputFormat)}", 2) from None


def _check_same_questionnaire(chosen: Questionnaire, answer_set: AnswerSet, path: Path | None) -> None:
    if answer_set.questionnaire != chosen.id:
        raise fail(f"{path}: the answers are for questionnaire {answer_set.questionnaire!r}, not {chosen.id!r}; "
                   f"use --questionnaire {answer_set.questionnaire} (or its file)", 2)
    if answer_set.questionnaire_version != chosen.version:
        typer.echo(f"advisor: warning: {path} answers version {answer_set.questionnaire_version} of questionnaire "
                   f"{chosen.id!r}, which is now version {chosen.version}; check the listed problems", err=True)


def _prefill(answer_set: AnswerSet, profile: Path | None, from_: Path | None, service: str | None) -> None:
    """Fields known up front: from a profile file, or what an importer read from a deployment descriptor."""
    if profile is not None:
        from advisor.profile.fields import read_profile_data

        answer_set.prefill.update(_validated_prefill(read_profile_data(str(profile)), str(profile)))
        return
    if from_ is None:
        return
    from advisor.importers import profile_data_from_descriptor

    imported = profile_data_from_descriptor(from_, service)
    from advisor.profile.fields import FIELD_NAMES

    answer_set.prefill.update(_validated_prefill(dict(imported.data), str(from_)))
    unknown = set(getattr(imported, "unknown", ()) or ()) | ({"name"} - set(answer_set.prefill))
    known = sorted((set(FIELD_NAMES) - unknown) | set(answer_set.prefill))
    answer_set.skip_fields = sorted(set(answer_set.skip_fields or ()) | set(known))
    typer.echo(f"Prefilled {len(imported.data)} field(s) from {from_}: "
               f"{', '.join(sorted(imported.data))}", err=True)


def _validated_prefill(data: dict[str, Any], source: str) -> dict[str, Any]:
    """Validate prefill data as a profile; a missing name is fine here (the interview asks for it)."""
    from advisor.interview.answers import prefill_from_profile

    placeholder = not data.get("name")
    checked = prefill_from_profile({**data, "name": "prefill"} if placeholder else data, source=source)
    if placeholder:
        checked.pop("name", None)
    return checked


def _print_problems(problems: Any, source: Path) -> None:
    typer.echo(f"advisor: {source}: {len(problems)} answer(s) could not be used as given:", err=True)
    for problem in problems:
        typer.echo(f"  - {problem}", err=True)


def _run_from_file(chosen: Questionnaire, answer_set: AnswerSet, source: Path, fmt: Any, save: Path | None,
                   report: Path | None, scaffold: Path | None, force: bool,
                   costs: tuple[str, str | None] = ("on-demand", None)) -> None:
    from advisor.interview.answers import resolve, write_answers

    resolution = resolve(chosen, answer_set, source=str(source))
    if resolution.problems:
        _print_problems(resolution.problems, source)
    result = _recommend(resolution.profile, costs)
    _print_recommendation(result, fmt, interactive=False)
    if save is not None:
        write_answers(save, answer_set, force=force)
        typer.echo(f"Wrote the answers to {save}", err=True)
    starter = _write_scaffold(resolution.profile, result, scaffold, force) if scaffold else []
    if report is not None:
        _write_report(result, resolution.profile, report, force, starter)
    if resolution.problems:
        raise typer.Exit(EXIT_INVALID_INPUT)


def _print_recommendation(result: Recommendation, fmt: Any, interactive: bool) -> None:
    from advisor.cli.table import to_table
    from advisor.outputs.formats import OutputFormat, render

    if fmt is None:
        fmt = OutputFormat.table if (interactive or sys.stdout.isatty()) else OutputFormat.json
    if fmt is OutputFormat.table:
        width = max(80, min(140, typer.get_terminal_size()[0] if sys.stdout.isatty() else 110))
        typer.echo(to_table(result, width=width, color=sys.stdout.isatty() and _color()), nl=False)
    else:
        typer.echo(render(result, fmt), nl=False)


def _color() -> bool:
    import os

    return "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


# ----------------------------------------------------------------------------- interactive


def _run_interactive(chosen: Questionnaire, answer_set: AnswerSet, fmt: Any, save: Path | None, resume: Path | None,
                     report: Path | None, scaffold: Path | None, force: bool, plain: bool,
                     costs: tuple[str, str | None] = ("on-demand", None)) -> None:
    from advisor.cli.prompts import make_prompter
    from advisor.interview.answers import resolve
    from advisor.interview.session import Interview

    _warm_up()
    prompter = make_prompter(plain, color=_color())
    prompter.say(f"{chosen.title}: {len(chosen.questions)} questions at most." if not resume else
                 f"{chosen.title}: continuing from {resume}.", "section")
    if chosen.description:
        prompter.say(chosen.description)
    prompter.say("Type ? for why we ask, choose \"← Back\" (or type <) to change the previous answer, "
                 "Ctrl-C to stop and save.")
    try:
        finished = Interview(chosen, answer_set, prompter).run()
    except InterviewInterrupted as stop:
        _save_interrupted(chosen, stop.answer_set, save, resume, plain, force)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    resolution = resolve(chosen, finished, source="interview")
    result = _recommend(resolution.profile, costs)
    typer.echo("")
    _print_recommendation(result, fmt, interactive=True)
    try:
        _offers(prompter, chosen, finished, resolution.profile, result, save, resume, report, scaffold, force)
    except (KeyboardInterrupt, EOFError):
        _save_interrupted(chosen, finished, save, resume, plain, force)
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _warm_up() -> None:
    """Load the knowledge base and scoring engine while the person reads the first question, so help
    texts and the final recommendation appear without a pause."""
    import threading

    def load() -> None:
        try:
            import advisor.engine.explain  # noqa: F401  (imports pandas and the scoring engine)
            from advisor.knowledge.base import knowledge

            knowledge()
        except Exception:
            pass

    threading.Thread(target=load, name="advisor-warm-up", daemon=True).start()


def _save_interrupted(chosen: Questionnaire, answer_set: AnswerSet, save: Path | None, resume: Path | None,
                      plain: bool, force: bool) -> None:
    from advisor.interview.answers import write_answers

    if save is not None:
        target, overwrite = save, force
    elif resume is not None:
        target, overwrite = resume, True  # the file the person resumed from holds their progress
    else:
        target, overwrite = _free_path(Path(DEFAULT_ANSWERS_FILE)), False
    write_answers(target, answer_set, force=overwrite)
    count = len(answer_set.answers) + len(answer_set.dont_know)
    command = ["advisor", "interview"]
    if chosen.name != "default":
        command += ["--questionnaire", chosen.name]
    command += ["--resume", str(target)]
    if plain:
        command.append("--plain")
    typer.echo(f"\nStopped. Saved {count} answer(s) to {target}.\nTo carry on where you left off, run:\n\n"
               f"  {shlex.join(command)}\n")


def _free_path(path: Path) -> Path:
    """`path`, or `stem-2.suffix`, `stem-3.suffix`, ... so an existing file is never overwritten."""
    if not path.exists():
        return path
    number = 2
    while True:
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        if not candidate.exists():
            return candidate
        number += 1



def _ask_path(prompter: Prompter, message: str, default: Path, force: bool) -> Path:
    while True:
        path = Path(prompter.path(message, str(default)))
        if not path.exists() or force:
            return path
        prompter.say(f"✗ {path} exists; give another name (or run with --force to overwrite files).", "error")
        default = _free_path(path)


def _offers(prompter: Prompter, chosen: Questionnaire, answer_set: AnswerSet, profile: WorkloadProfile,
            result: Recommendation, save: Path | None, resume: Path | None, report: Path | None,
            scaffold: Path | None, force: bool) -> None:
    """After the table: write the answers file, a decision report and a starter config, asking for each."""
    from advisor.files import safe_file_name
    from advisor.interview.answers import write_answers

    stem = safe_file_name(profile.name)
    prompter.say("")
    answers_path = save or resume
    if answers_path is None and prompter.confirm("Save your answers (to run again with --answers)?", True):
        answers_path = _ask_path(prompter, "Answers file:", _free_path(Path(f"{stem}-answers.yaml")), force)
    if report is None and prompter.confirm("Write a decision report (HTML, or .md for Markdown)?", False):
        report = _ask_path(prompter, "Report file:", _free_path(Path(f"{stem}-report.html")), force)
    if scaffold is None and result.recommendation:
        from advisor import RUNTIME_LABELS

        if prompter.confirm(f"Write a starter configuration for {RUNTIME_LABELS[result.recommendation]}?", False):
            scaffold = _ask_path(prompter, "Folder:", _free_path(Path(f"{stem}-starter")), force)

    if answers_path is not None:
        write_answers(answers_path, answer_set, force=force or answers_path == resume)
        typer.echo(f"Wrote the answers to {answers_path}", err=True)
    starter = _write_scaffold(profile, result, scaffold, force) if scaffold else []
    if report is not None:
        _write_report(result, profile, report, force, starter)


def _write_report(result: Recommendation, profile: WorkloadProfile, out: Path, force: bool,
                  starter: list[Path]) -> None:
    """A decision report (HTML or Markdown), or the JSON recommendation when `out` ends in .json."""
    from advisor.api import write_report

    if out.suffix.lower() == ".json":
        from advisor.files import write_new_text
        from advisor.outputs.formats import to_json

        write_new_text(out, to_json(result), force, "report")
        typer.echo(f"Wrote the recommendation (JSON) to {out}", err=True)
        return
    written = write_report(result, profile, out, force=force, starter_files=tuple(starter))
    typer.echo(f"Wrote the decision report: {', '.join(str(p) for p in written)}", err=True)


def _write_scaffold(profile: WorkloadProfile, result: Recommendation, out: Path, force: bool) -> list[Path]:
    from advisor.api import write_starter

    if result.recommendation is None:
        typer.echo("advisor: no runtime is feasible, so there is no starter configuration to write", err=True)
        return []
    starter = write_starter(profile, out, runtime=result.recommendation, force=force)
    for warning in starter.warnings:
        typer.echo(f"advisor: warning: {warning}", err=True)
    files = list(starter.files)
    typer.echo(f"Wrote a starter configuration for {result.recommendation} to {out} ({len(files)} file(s))",
               err=True)
    return files


# ----------------------------------------------------------------------------- advisor questionnaire


def _questionnaire_source(value: str) -> str | Path:
    from advisor.interview.schema import BUNDLED

    return value if value in BUNDLED and not Path(value).exists() else Path(value)


@questionnaire_app.command("lint")
@handle_errors
def lint(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Questionnaire YAML file (or quick / default).")],
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Check a questionnaire and list every problem with its question id (exit 2 if there are any)."""
    from advisor.files import use_encoding
    from advisor.interview.questionnaire import bundled_path, lint_file, parse_questionnaire_text

    use_encoding(encoding)
    source = _questionnaire_source(file)
    if isinstance(source, str):
        questionnaire, problems = parse_questionnaire_text(bundled_path(source).read_text(encoding="utf-8"),
                                                           source=source, name=source, check_facts=True)
    else:
        questionnaire, problems = lint_file(source)
    if problems:
        for problem in problems:
            typer.echo(f"{file}: {problem}")
        typer.echo(f"{file}: {len(problems)} problem(s)", err=True)
        raise typer.Exit(2)
    assert questionnaire is not None
    sections = len(questionnaire.sections)
    typer.echo(f"{file}: ok ({questionnaire.id} version {questionnaire.version}, "
               f"{len(questionnaire.questions)} questions in {sections} section{'s' if sections != 1 else ''})")


@questionnaire_app.command("show")
@handle_errors
def show(
    file: Annotated[str, typer.Argument(metavar="FILE|quick|default",
                                        help="Questionnaire YAML file, or quick / default.")] = "default",
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Print a questionnaire as readable text: sections, questions, choices and what each sets."""
    from advisor.files import use_encoding

    use_encoding(encoding)
    from advisor.interview.questionnaire import describe, load_questionnaire, render_text

    typer.echo(render_text(describe(load_questionnaire(_questionnaire_source(file)))), nl=False)


def _recommend(profile: Any, costs: tuple[str, str | None]) -> Any:
    """Recommend as `recommend` does, bought as --pricing and priced in --region when given."""
    from advisor.api import recommend

    pricing, region = costs
    return recommend(profile.replace(region=region) if region else profile, pricing=pricing)
