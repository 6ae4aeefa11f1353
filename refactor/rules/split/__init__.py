"""What the multi-stage rules (MS…) share: reading a single-stage build, and writing its runtime stage.

`read_build(model)` (build.py) decides whether the one stage of a Dockerfile can be split
and says what each of its instructions does: system packages installed, dependency
installs and build steps (the builder keeps them), users created, configuration (which
moves to the runtime stage), and where the source lands. reads.py finds what the program
reads at run time; runtime.py chooses the runtime image and its packages, by one rule for
every ecosystem; an ecosystem rule then names the paths to copy, and `split_fix`
(stages.py) writes the edits: the original stage becomes the builder (`FROM … AS build`,
its steps byte for byte), and a runtime stage is appended that re-declares the ARGs and
ENVs, installs the runtime libraries, copies the artifacts to the same absolute paths, and
ends with the original configuration, moved verbatim.
"""

from __future__ import annotations

from .build import (BUILDER, DISTROS, STANDARD_PATH, Build, Copy, app_dirs, context_copies, distro_language, folder_apart_reason, command_tools, context_files, program_path,
                    read_build, uncovered_paths, unknown_command)
from .reads import command_files, files_read
from .runtime import (debian_suite, floating_tag, install_line, library_packages, native_runtime, runtime_data,
                      runtime_packages, slim_runtime, slim_variant, sort_packages)
from .stages import SplitRule, needs_install, split_fix

__all__ = ["Build", "Copy", "DISTROS", "SplitRule", "distro_language", "read_build", "runtime_data", "split_fix", "BUILDER", "STANDARD_PATH",
           "app_dirs", "context_copies", "folder_apart_reason", "command_files", "command_tools", "context_files", "debian_suite", "files_read", "floating_tag",
           "install_line", "library_packages", "native_runtime", "needs_install", "program_path", "runtime_packages",
           "slim_runtime", "slim_variant", "sort_packages", "uncovered_paths", "unknown_command"]
