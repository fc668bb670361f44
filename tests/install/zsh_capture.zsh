# Prints, one a line, the candidates zsh's completion system offers for a command line, as it
# would when TAB is pressed after it:  zsh -f zsh_capture.zsh FPATH_DIR 'dtruss -t ope'
# An interactive zsh runs in a pseudo-terminal (zpty), with compinit loading the completion
# functions in FPATH_DIR; a compadd wrapper prints each set of matches between << and >>.
zmodload zsh/zpty || exit 1
zpty shell zsh -f -i
zpty -w shell "PS1=''; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w shell 'compadd() { local -a m; builtin compadd -O m "$@"; print -l -- "<<" $m ">>" >/dev/tty; builtin compadd "$@"; }'
zpty -w shell "zstyle ':completion:*' menu no; bindkey '^I' complete-word; echo READY"
zpty -r shell out '*READY*'
zpty -r shell out '*READY*'
zpty -w -n shell "$2"$'\t'
zpty -r shell out '*>>*'
zpty -d shell
print -r -- "$out" | tr -d '\r' | awk '/<</ { on = 1; next } /^>>/ { on = 0 } on'
