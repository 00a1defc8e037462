# SPDX-License-Identifier: Apache-2.0
# bash completion for xlaunch. Install as share/bash-completion/completions/xlaunch, or load it
# in ~/.bashrc with: source <(xlaunch completion bash)
# Every candidate comes from the binary (`xlaunch __complete WORDS... CURRENT`), so model names,
# engines, formats, sizes and quantizations always match its catalog and the flags typed.

_xlaunch() {
  local cur words cword
  if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
    # Keep "--model-name=x" and "a:b" as one word, as the user sees them.
    _get_comp_words_by_ref -n =: cur words cword
  else
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
    cur=${COMP_WORDS[COMP_CWORD]}
  fi

  local output
  output=$("${words[0]}" __complete "${words[@]:1:cword-1}" "$cur" 2>/dev/null) || return 0

  local -a lines
  local line fallback=""
  COMPREPLY=()
  mapfile -t lines <<<"$output"
  for line in "${lines[@]}"; do
    case $line in
      "") ;;
      :files) fallback=files ;;
      :dirs) fallback=dirs ;;
      *) COMPREPLY+=("${line%%$'\t'*}") ;;
    esac
  done

  if [[ -n $fallback ]]; then
    compopt -o filenames 2>/dev/null
    if [[ $fallback == dirs ]]; then
      mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
    else
      mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
    fi
  fi

  # Readline splits words at '=' and ':'; it replaces only the part after the last of them.
  if [[ $cur == *[=:]* && ${#COMPREPLY[@]} -gt 0 ]]; then
    local head=${cur%"${cur##*[=:]}"} i
    if [[ $COMP_WORDBREAKS == *"${head: -1}"* ]]; then
      for i in "${!COMPREPLY[@]}"; do
        COMPREPLY[i]=${COMPREPLY[i]#"$head"}
      done
    fi
  fi
  return 0
}

complete -F _xlaunch xlaunch
