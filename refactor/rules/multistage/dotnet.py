from __future__ import annotations

import posixpath

from ..split import Copy, context_files, SplitRule, runtime_data, split_fix, uncovered_paths, unknown_command


class DotnetSplit(SplitRule):
    """
    ## What it does
    Splits a single-stage .NET build in the SDK image whose command runs the
    assembly `dotnet publish -o DIR` (or `dotnet build -o DIR`) writes: the
    original stage builds (the `build` stage), and a runtime stage on the
    ASP.NET Core runtime image (for web projects, `Microsoft.NET.Sdk.Web`) or
    the .NET runtime image, of the same version and variant, holds DIR at the
    same path.

    ## Why
    The SDK image carries compilers, MSBuild and NuGet caches: several times
    the size of the runtime the application needs.

    ## Example
    ```dockerfile
    FROM mcr.microsoft.com/dotnet/sdk:8.0
    WORKDIR /src
    COPY . .
    RUN dotnet publish -c Release -o /app/publish
    WORKDIR /app/publish
    ENTRYPOINT ["dotnet", "Api.dll"]
    ```

    ## Use instead
    ```dockerfile
    FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
    WORKDIR /src
    COPY . .
    RUN dotnet publish -c Release -o /app/publish
    WORKDIR /app/publish

    FROM mcr.microsoft.com/dotnet/aspnet:8.0
    WORKDIR /app/publish
    COPY --from=build /app/publish /app/publish
    ENTRYPOINT ["dotnet", "Api.dll"]
    ```

    ## Fix safety
    Review: the configuration is kept; the SDK's tools (`dotnet ef`, `dotnet
    test`) are gone. The rule declines for `dotnet run`, when the command runs
    an assembly outside the output folder, and for commands it does not know.
    """

    code = "MS006"
    name = "split-dotnet"
    title = "Split a .NET build into an SDK build stage and an ASP.NET Core or .NET runtime"
    rationale = "The application needs the .NET runtime and its published output, not the SDK."
    ecosystem = "dotnet"

    def owns(self, model) -> bool:
        ref = model.base_image(model.stages[0])
        return ref.registry == "mcr.microsoft.com" and ref.path == "dotnet/sdk"

    def plan(self, model, build):
        outputs = []
        for ins, cmd in build.commands:
            argv = [a or "" for a in cmd.argv]
            if cmd.name == "dotnet" and argv[1:2] in (["publish"], ["build"]):
                out = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("-o", "--output")), None)
                if out is None or "$" in out:
                    return f"line {ins.start_line}: dotnet {argv[1]} without -o: the output folder cannot be told"
                outputs.append(posixpath.normpath(posixpath.join(build.workdir_at[id(ins)], out)))
        if not outputs:
            return "no `dotnet publish -o` or `dotnet build -o` names an output folder: the .NET split follows only those"
        why = unknown_command(build, {"dotnet"})
        if why:
            return why
        words = list(build.entry)
        if len(words) < 2 or words[0] != "dotnet" or not words[1].endswith(".dll"):
            return "the command does not run `dotnet <assembly>.dll`"
        dll = posixpath.normpath(posixpath.join(build.workdir, words[1]))
        output = outputs[-1]
        if posixpath.dirname(dll) != output:
            return f"the command runs {dll}, outside the output folder {output}"
        web = any("Microsoft.NET.Sdk.Web" in (model.context.read_text(p) or "") for p in _projects(model))
        image = runtime_data()["images"]["dotnet-aspnet" if web else "dotnet-runtime"]
        runtime = f"{image}:{build.base.tag}"
        copies = [Copy(output)]
        why = uncovered_paths(build, copies)
        if why:
            return why
        message = (f"split into a build stage (the SDK) and a runtime on {runtime} with only {output}")
        return split_fix(model, build, runtime=runtime, copies=copies, message=message)


def _projects(model) -> list[str]:
    ctx = model.context
    if not ctx.known:
        return []
    return [p.relative_to(ctx.root).as_posix() for p in context_files(ctx, ctx.root, (".csproj", ".fsproj", ".vbproj"), 50)]
