"""`advisor model train` and `advisor model evaluate`: fit and check the learned calibration."""

from __future__ import annotations

from typing import Annotated

import typer

from advisor.cli.common import encoding_option, fail, handle_errors

DEFAULT_SEED = 20261126  # the same as advisor.learn.train.DEFAULT_SEED (not imported: keeps --help light)
DEFAULT_FOLDS = 5

# Options train and evaluate share.
SeedOption = Annotated[int, typer.Option("--seed", metavar="N", help="Seed of the cross-validation folds.")]
FoldsOption = Annotated[int, typer.Option("--folds", min=2, metavar="N", help="Number of cross-validation folds.")]
CorpusOption = Annotated[str | None, typer.Option(
    "--corpus", metavar="CSV", help="Reference corpus (default: models/reference_workloads.csv).")]

model_app = typer.Typer(help="Train and evaluate the model that calibrates the rule scores.",
                        no_args_is_help=True, add_completion=False)


@model_app.command("train")
@handle_errors
def train_command(
    seed: SeedOption = DEFAULT_SEED,
    folds: FoldsOption = DEFAULT_FOLDS,
    out: Annotated[str | None, typer.Option("--out", metavar="PATH",
                                            help="Where to write the JSON parameters "
                                                 "(default: the package's models/model.json).")] = None,
    corpus: CorpusOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model file with different "
                                                        "parameters.")] = False,
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Fit the model on the reference corpus, cross-validate it and write its parameters as JSON."""
    from pathlib import Path

    from advisor.errors import OutputExistsError
    from advisor.files import note_inputs, refuse_input_overwrite, use_encoding
    from advisor.learn.corpus import read_corpus
    from advisor.learn.model_file import default_model_path, to_json, write_model
    from advisor.learn.train import train

    use_encoding(encoding)
    note_inputs(corpus)
    target = Path(out) if out else default_model_path()
    refuse_input_overwrite(target)
    if target.is_dir():
        raise fail(f"--out {target}: is a folder; give a file path such as {target / 'model.json'}", 2)
    data = read_corpus(corpus)
    if folds > len(data):
        raise fail(f"--folds {folds}: the corpus has only {len(data)} rows", 2)
    params, cv = train(data, seed=seed, folds=folds)
    if target.exists():
        if target.read_bytes() == to_json(params).encode("utf-8"):
            typer.echo(f"{target}: unchanged (same corpus and seed give the same parameters)")
            _summary(cv)
            return
        if not force:
            raise OutputExistsError(f"{target} exists with different parameters; pass --force to replace it")
    write_model(params, target)
    if not out:
        from advisor.learn.blend import active_model

        active_model.cache_clear()
    typer.echo(f"wrote {target}")
    _summary(cv)


def _summary(cv: object) -> None:
    from advisor.learn.train import CrossValidation

    assert isinstance(cv, CrossValidation)
    typer.echo(f"cross-validated first-place accuracy ({cv.folds}-fold, seed {cv.seed}): "
               f"rules {cv.rules.accuracy:.3f}, model {cv.model.accuracy:.3f}, "
               f"blend {cv.blend.accuracy:.3f} at w={cv.weight:.1f}; blend used: {'yes' if cv.used else 'no'}")


@model_app.command("evaluate")
@handle_errors
def evaluate_command(
    seed: SeedOption = DEFAULT_SEED,
    folds: FoldsOption = DEFAULT_FOLDS,
    corpus: CorpusOption = None,
    encoding: Annotated[str | None, encoding_option()] = None,
) -> None:
    """Print cross-validated accuracy of the rules, the model and the blend, per-runtime precision and
    recall, and the confusion matrices."""
    import json

    from advisor.files import use_encoding
    from advisor.learn.corpus import read_corpus
    from advisor.learn.model_file import default_model_path, load_model
    from advisor.learn.train import cross_validate, format_evaluation

    use_encoding(encoding)
    data = read_corpus(corpus)
    if folds > len(data):
        raise fail(f"--folds {folds}: the corpus has only {len(data)} rows", 2)
    cv = cross_validate(data, seed=seed, folds=folds)
    saved = None
    path = default_model_path()
    if path.exists():
        load_model(path)  # validates; refuses anything but the JSON format
        saved = json.loads(path.read_text(encoding="utf-8"))
    typer.echo(format_evaluation(cv, data, saved), nl=False)


def register(app: typer.Typer) -> None:
    """Add `advisor model ...` to the CLI."""
    app.add_typer(model_app, name="model")
