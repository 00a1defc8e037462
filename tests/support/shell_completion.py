# SPDX-License-Identifier: Apache-2.0
"""Drive bash, zsh and fish completion for a typed command line and return the candidates.

Each function takes the completion script's text (as `xlaunch completion SHELL` prints it), the
command line typed so far (the cursor at its end) and the environment; the `xlaunch` on PATH is
the binary under test. They run the real shells: bash with bash-completion (COMP_WORDS,
COMP_CWORD, COMP_LINE and COMP_POINT set the way readline sets them), zsh through a
pseudo-terminal (zsh_complete.zsh), fish through `complete -C`.
"""
import os
import shutil
import subprocess
import tempfile

SUPPORT_DIR = os.path.dirname(os.path.abspath(__file__))
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"
_WORDBREAKS = "\"'><=;|&(:"


def missing_shells():
    """Names of the shells (or bash-completion) this machine lacks."""
    missing = [name for name in ("bash", "zsh", "fish") if shutil.which(name) is None]
    if not os.path.exists(BASH_COMPLETION):
        missing.append("bash-completion")
    return missing


def readline_words(line):
    """Split a command line into COMP_WORDS as bash does: at blanks, and with each run of
    COMP_WORDBREAKS characters as a word of its own. A trailing blank starts an empty word."""
    words = []
    for chunk in line.split():
        current = ""
        breaks = ""
        for char in chunk:
            if char in _WORDBREAKS:
                if current:
                    words.append(current)
                    current = ""
                breaks += char
            else:
                if breaks:
                    words.append(breaks)
                    breaks = ""
                current += char
        if current or breaks:
            words.append(current or breaks)
    if not line or line[-1].isspace():
        words.append("")
    return words


def _write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _run(argv, env, timeout=60):
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    if completed.returncode != 0:
        raise AssertionError(f"{argv[0]} exited {completed.returncode}\n{completed.stdout}\n{completed.stderr}")
    return [line for line in completed.stdout.split("\n") if line]


def bash_candidates(script, line, env):
    """COMPREPLY after calling the completion function for `line`."""
    with tempfile.TemporaryDirectory(prefix="xlaunch-bash-") as folder:
        script_path = _write(folder, "xlaunch.bash", script)
        words = readline_words(line)
        quoted = " ".join("'" + word.replace("'", "'\\''") + "'" for word in words)
        driver = "\n".join([
            f"source {BASH_COMPLETION}",
            f"source '{script_path}'",
            f"COMP_WORDS=({quoted})",
            f"COMP_CWORD={len(words) - 1}",
            "COMP_LINE=\"$XL_LINE\"",
            "COMP_POINT=${#COMP_LINE}",
            "COMPREPLY=()",
            "_xlaunch xlaunch \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"",
            "printf '%s\\n' \"${COMPREPLY[@]}\"",
        ])
        return _run(["bash", "--norc", "--noprofile", "-c", driver], dict(env, XL_LINE=line))


def zsh_candidates(script, line, env):
    """Matches zsh accepts for the word under the cursor (through compadd)."""
    with tempfile.TemporaryDirectory(prefix="xlaunch-zsh-") as folder:
        _write(folder, "_xlaunch", script)
        return _run(["zsh", "-f", os.path.join(SUPPORT_DIR, "zsh_complete.zsh"), folder, line], env)


def fish_candidates(script, line, env):
    """`complete -C` output for `line`, without the descriptions."""
    with tempfile.TemporaryDirectory(prefix="xlaunch-fish-") as folder:
        script_path = _write(folder, "xlaunch.fish", script)
        command = f"source '{script_path}'; complete -C \"$XL_LINE\""
        lines = _run(["fish", "--no-config", "-c", command], dict(env, XL_LINE=line))
        return [entry.split("\t", 1)[0] for entry in lines]
