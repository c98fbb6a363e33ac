# bash completion for reftriage. Installed by 'make install' as
# $(PREFIX)/share/bash-completion/completions/reftriage; or: source this file.

_reftriage() {
	local cur prev words cword
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	}
	local commands="init import rules score worklist show assign status stats quarantine"
	local i cmd="" sub=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--db | --operator) ((i++)) ;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${words[i]}
			elif [[ -z $sub ]]; then
				sub=${words[i]}
			fi
			;;
		esac
	done
	case $prev in
	--db | --output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--format)
		case $cmd in
		import) COMPREPLY=($(compgen -W "csv json ndjson" -- "$cur")) ;;
		worklist) COMPREPLY=($(compgen -W "table csv json ndjson html" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		esac
		return
		;;
	--summary) COMPREPLY=($(compgen -W "json" -- "$cur")); return ;;
	--priority) COMPREPLY=($(compgen -W "P1 P2 P3 P4" -- "$cur")); return ;;
	--status) COMPREPLY=($(compgen -W "new assigned in_progress" -- "$cur")); return ;;
	--operator | --to | --note | --as-of | --since | --limit | --wait | --force-area | --assigned-to)
		return ;;
	esac
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--db --operator --version --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi
	case $cmd in
	import)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--format --strict --dry-run --ignore-unknown-fields --summary --as-of --wait --quiet --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	rules)
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "check install show" -- "$cur"))
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--as-of --format --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -X '!*.json' -- "$cur"))
		fi
		;;
	quarantine) [[ -z $sub ]] && COMPREPLY=($(compgen -W "list show" -- "$cur")) ;;
	score) COMPREPLY=($(compgen -W "--as-of --wait --help" -- "$cur")) ;;
	worklist) COMPREPLY=($(compgen -W "--priority --status --force-area --assigned-to --since --limit --format --output --help" -- "$cur")) ;;
	show | stats) COMPREPLY=($(compgen -W "--format --help" -- "$cur")) ;;
	assign) COMPREPLY=($(compgen -W "--to --note --wait --help" -- "$cur")) ;;
	status)
		if [[ -n $sub && $cur != -* ]]; then
			COMPREPLY=($(compgen -W "new assigned in_progress actioned nfa transferred" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "--note --wait --help" -- "$cur"))
		fi
		;;
	esac
}
complete -F _reftriage reftriage
