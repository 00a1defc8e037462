# SPDX-License-Identifier: Apache-2.0
# fish completion for xlaunch. Install as share/fish/vendor_completions.d/xlaunch.fish, or load
# it with: xlaunch completion fish | source
# Every candidate comes from the binary (`xlaunch __complete WORDS... CURRENT`).

function __xlaunch_complete
    set -l args (commandline -opc)
    set -l program $args[1]
    set -e args[1]
    set -l current (commandline -ct)
    for line in ($program __complete $args "$current" 2>/dev/null)
        switch $line
            case ':files'
                __fish_complete_path "$current"
            case ':dirs'
                __fish_complete_directories "$current"
            case '*'
                printf '%s\n' $line
        end
    end
end

complete -c xlaunch -f -a '(__xlaunch_complete)'
