"""``convdemo presets list | show | export | import``: the kernel preset library."""

from __future__ import annotations

import sys


def add_presets_command(sub) -> None:
    p = sub.add_parser("presets", help="list, show, export or import kernel presets",
                       description="The shipped kernel library and your own presets.")
    actions = p.add_subparsers(dest="action", required=True, metavar="{list,show,export,import}")
    actions.add_parser("list", help="every preset with its description").set_defaults(handler=_cmd_presets_list)
    show = actions.add_parser("show", help="one preset's weights and description")
    show.add_argument("name")
    show.set_defaults(handler=_cmd_presets_show)
    export = actions.add_parser("export", help="write a preset to a .json file")
    export.add_argument("name")
    export.add_argument("file")
    export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    export.set_defaults(handler=_cmd_presets_export)
    imp = actions.add_parser("import", help="copy a preset .json file into your presets folder")
    imp.add_argument("file")
    imp.add_argument("--force", action="store_true", help="replace your preset of the same name")
    imp.set_defaults(handler=_cmd_presets_import)


def _library():
    from convdemo.core.presets import default_library

    return default_library()


def _warn_bad_presets(library) -> None:
    for _path, message in library.errors:
        print(f"convdemo: warning: skipped {message}", file=sys.stderr)


def _cmd_presets_list(args) -> int:
    library = _library()
    names = library.names()
    width = max(map(len, names), default=0)
    for name in names:
        kernel = library[name]
        kh, kw = kernel.shape
        tag = " (yours)" if library.is_user(name) else ""
        print(f"{name:<{width}}  {kh}×{kw}  {kernel.description}{tag}")
    _warn_bad_presets(library)
    return 0


def _cmd_presets_show(args) -> int:
    kernel = _library().resolve(args.name)
    print(f"name:        {kernel.name}")
    print(f"description: {kernel.description}")
    print(f"size:        {kernel.shape[0]}×{kernel.shape[1]}" + (" ×3 channels" if kernel.is_per_channel else ""))
    print(f"divisor:     {kernel.divisor:g}")
    print(f"bias:        {kernel.bias:g}")
    if kernel.source:
        print(f"file:        {kernel.source}")
    planes = kernel.weights if kernel.is_per_channel else [kernel.weights]
    for label, plane in zip(("R", "G", "B") if kernel.is_per_channel else ("",), planes):
        print(f"weights{(' ' + label) if label else ''}:")
        for row in plane:
            print("  " + "  ".join(f"{v:>7g}" for v in row))
    return 0


def _cmd_presets_export(args) -> int:
    path = _library().export(args.name, args.file, overwrite=args.force)
    print(f"wrote {path}")
    return 0


def _cmd_presets_import(args) -> int:
    kernel = _library().import_file(args.file, overwrite=args.force)
    print(f"imported {kernel.name!r} into {_library().user_dir}")
    return 0
