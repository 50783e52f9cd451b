"""`advisor model train`, `evaluate` and `curve`: fit the learned calibration and measure it honestly."""

from __future__ import annotations

from typing import Annotated

import typer

from advisor.cli.common import encoding_option, fail, handle_errors

# The same as advisor.learn.train's defaults (not imported: keeps --help light; a test checks they agree).
DEFAULT_FOLDS = 5
DEFAULT_INNER_FOLDS = 4

# Options the commands share.
SeedOption = Annotated[int | None, typer.Option(
    "--seed", metavar="N",
    help="Seed of the cross-validation folds (default: assume.seed in models/assumptions.yaml).")]
FoldsOption = Annotated[int, typer.Option("--folds", min=2, metavar="N",
                                          help="Number of outer cross-validation folds.")]
InnerFoldsOption = Annotated[int, typer.Option(
    "--inner-folds", min=2, metavar="N",
    help="Number of inner folds that choose C and the blend weight in each outer fold.")]
CorpusOption = Annotated[str | None, typer.Option(
    "--corpus", metavar="CSV", help="Reference corpus (default: models/reference_workloads.csv).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace an existing file with different content.")]

def _seed(seed: int | None) -> int:
    """The seed given, else the project's one seed (models/assumptions.yaml `assume.seed`)."""
    from advisor.learn.train import DEFAULT_SEED

    return DEFAULT_SEED if seed is None else seed


model_app = typer.Typer(help="Train and evaluate the model that calibrates the rule scores.",
                        no_args_is_help=True, add_completion=False)


def _corpus(path: str | None, folds: int, inner_folds: int) -> object:
    """The validated corpus, once the fold counts are known to fit it."""
    from advisor.learn.corpus import read_corpus
    from advisor.learn.train import check_folds

    data = read_corpus(path)
    if folds > len(data):
        raise fail(f"--folds {folds}: the corpus has only {len(data)} rows", 2)
    check_folds(len(data), folds, inner_folds)
    return data


@model_app.command("train")
@handle_errors
def train_command(
    seed: SeedOption = None,
    folds: FoldsOption = DEFAULT_FOLDS,
    inner_folds: InnerFoldsOption = DEFAULT_INNER_FOLDS,
    out: Annotated[str | None, typer.Option("--out", metavar="PATH",
                                            help="Where to write the JSON parameters "
                                                 "(default: the package's models/model.json).")] = None,
    corpus: CorpusOption = None,
    force: ForceOption = False,
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Evaluate with nested cross-validation, fit on the whole corpus and write the parameters as JSON.

    The same corpus, seed and folds always give the same bytes.
    """
    from pathlib import Path

    from advisor.files import note_inputs, refuse_input_overwrite, use_encoding
    from advisor.learn.corpus import Corpus
    from advisor.learn.model_file import default_model_path, to_json, write_model
    from advisor.learn.train import train

    use_encoding(encoding)
    note_inputs(corpus)
    target = Path(out) if out else default_model_path()
    refuse_input_overwrite(target)
    if target.is_dir():
        raise fail(f"--out {target}: is a folder; give a file path such as {target / 'model.json'}", 2)
    data = _corpus(corpus, folds, inner_folds)
    assert isinstance(data, Corpus)
    params, training = train(data, seed=_seed(seed), folds=folds, inner_folds=inner_folds)
    if target.exists():
        if target.read_bytes() == to_json(params).encode("utf-8"):
            typer.echo(f"{target}: unchanged (same corpus, seed and folds give the same parameters)")
            _summary(training)
            return
        if not force:
            raise fail(f"{target} exists with different parameters; pass --force to replace it", 2)
    write_model(params, target)
    if not out:
        from advisor.learn.blend import active_model

        active_model.cache_clear()
    typer.echo(f"wrote {target}")
    _summary(training)


def _summary(training: object) -> None:
    from advisor.learn.train import Training

    assert isinstance(training, Training)
    ev = training.evaluation
    typer.echo(f"nested cross-validated first-place accuracy ({ev.folds} outer folds, {ev.inner_folds} inner, "
               f"seed {ev.seed}): rules {ev.rules.accuracy:.3f}, model {ev.model.accuracy:.3f}, "
               f"blend {ev.blend.accuracy:.3f}; blend used: "
               + (f"yes (C={training.C:g}, w={training.weight:.1f})" if training.used else "no (rules only)"))


@model_app.command("evaluate")
@handle_errors
def evaluate_command(
    seed: SeedOption = None,
    folds: FoldsOption = DEFAULT_FOLDS,
    inner_folds: InnerFoldsOption = DEFAULT_INNER_FOLDS,
    corpus: CorpusOption = None,
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Print nested cross-validated accuracy of rules, model and blend, with 95% intervals and the decision.

    Also per-runtime precision and recall, and the confusion matrices.
    """
    import json

    from advisor.files import use_encoding
    from advisor.learn.corpus import Corpus
    from advisor.learn.model_file import default_model_path, load_model
    from advisor.learn.train import decide, format_evaluation, labelled_rows, nested_evaluate

    use_encoding(encoding)
    saved = None
    path = default_model_path()
    if path.exists():
        load_model(path)  # validates; refuses anything but the JSON format
        saved = json.loads(path.read_text(encoding="utf-8"))
    data = _corpus(corpus, folds, inner_folds)
    assert isinstance(data, Corpus)
    rows = labelled_rows(data)
    training = decide(nested_evaluate(rows, seed=_seed(seed), folds=folds, inner_folds=inner_folds), rows)
    typer.echo(format_evaluation(training, data, saved), nl=False)


@model_app.command("curve")
@handle_errors
def curve_command(
    out: Annotated[str, typer.Option("--out", metavar="SVG", help="Where to write the learning curve (SVG).")],
    seed: SeedOption = None,
    folds: FoldsOption = DEFAULT_FOLDS,
    inner_folds: InnerFoldsOption = DEFAULT_INNER_FOLDS,
    repeats: Annotated[int, typer.Option("--repeats", min=1, metavar="N",
                                         help="Subsamples averaged at each size.")] = 3,
    fractions: Annotated[str, typer.Option(
        "--fractions", metavar="LIST", help="Comma-separated shares of the corpus to evaluate, each in (0, 1].")]
        = "0.3,0.45,0.6,0.75,0.9,1",
    corpus: CorpusOption = None,
    force: ForceOption = False,
) -> None:
    """Draw the learning curve (SVG): nested accuracy of rules, model and blend against corpus size.

    Each point has a 95% interval; a curve still rising at the full corpus means more labels would help.
    """
    from pathlib import Path

    from advisor.learn.corpus import Corpus
    from advisor.learn.curve import format_curve, learning_curve, render_svg, save_svg
    from advisor.learn.train import labelled_rows

    try:
        shares = [float(part) for part in fractions.split(",") if part.strip()]
    except ValueError:
        raise fail(f"--fractions {fractions!r}: give numbers such as 0.5,0.75,1", 2) from None
    if not shares or any(not 0 < share <= 1 for share in shares):
        raise fail(f"--fractions {fractions!r}: every share must be above 0 and at most 1", 2)
    data = _corpus(corpus, folds, inner_folds)
    assert isinstance(data, Corpus)
    target = Path(out)
    if target.is_dir():
        raise fail(f"--out {target}: is a folder; give a file path such as {target / 'learning-curve.svg'}", 2)
    points = learning_curve(labelled_rows(data), sorted(set(shares)), repeats=repeats, seed=_seed(seed), folds=folds,
                            inner_folds=inner_folds)
    text = render_svg(points, f"Learning curve: nested accuracy on up to {len(data)} reference workloads")
    if target.exists() and not force and target.read_text(encoding="utf-8", errors="replace") != text:
        raise fail(f"{target} exists with a different curve; pass --force to replace it", 2)
    save_svg(text, target)
    typer.echo(format_curve(points), nl=False)
    typer.echo(f"wrote {target}")


def register(app: typer.Typer) -> None:
    """Add `advisor model ...` to the CLI."""
    app.add_typer(model_app, name="model")
