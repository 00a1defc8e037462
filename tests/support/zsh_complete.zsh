# SPDX-License-Identifier: Apache-2.0
# Drives real zsh completion for one command line and prints each candidate zsh would offer,
# one per line. Usage: zsh -f zsh_complete.zsh FPATH_DIR 'xlaunch -n deep'
# A pseudo-terminal (zsh/zpty) runs an interactive zsh with compinit; compadd is wrapped so every
# match zsh accepts for the word under the cursor is printed between markers.
zmodload zsh/zpty || exit 3
local fpath_dir=$1 line=$2

zpty -b xl zsh -f -i
zpty -w xl "PS1='' PROMPT='' RPROMPT=''; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w xl "fpath=(${(q)fpath_dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w xl "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' select-prompt ''; LISTMAX=100000"
zpty -w xl 'compadd() {
  if (( ${@[(I)-O]} || ${@[(I)-A]} || ${@[(I)-D]} )); then builtin compadd "$@"; return; fi
  local -a __xl_matches; builtin compadd -O __xl_matches "$@"
  local __xl_m; for __xl_m in "${__xl_matches[@]}"; do print -r -- "<xl-candidate>${__xl_m}</xl-candidate>"; done
  builtin compadd "$@"
}'
zpty -w xl "print '<xl-rea''dy>'"
zpty -r xl out '*<xl-ready>*' || exit 4
zpty -w -n xl "$line"$'\t'
zpty -w -n xl $'\C-e\C-u'
zpty -w xl "print '<xl-do''ne>'"
local output
zpty -r xl output '*<xl-done>*' || exit 5
zpty -d xl
local -a found
found=(${(f)"$(print -r -- "$output" | grep -ao '<xl-candidate>[^<]*</xl-candidate>')"})
local item
for item in "${found[@]}"; do
  item=${item#<xl-candidate>}
  print -r -- "${item%</xl-candidate>}"
done
