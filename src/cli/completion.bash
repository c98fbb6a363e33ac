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
	local commands="init import rules score worklist show assign status stats quarantine audit purge keygen"
	local i cmd="" sub=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--db | --operator | --reason) ((i++)) ;;
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
	--db | --output | --sign | --key | --verify-key | --pubkey | --checkpoint | --passphrase-file)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--format)
		case $cmd in
		import) COMPREPLY=($(compgen -W "csv json ndjson" -- "$cur")) ;;
		worklist) COMPREPLY=($(compgen -W "table csv json ndjson html" -- "$cur")) ;;
		audit) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		esac
		return
		;;
	--summary) COMPREPLY=($(compgen -W "json" -- "$cur")); return ;;
	--priority) COMPREPLY=($(compgen -W "P1 P2 P3 P4" -- "$cur")); return ;;
	--status) COMPREPLY=($(compgen -W "new assigned in_progress" -- "$cur")); return ;;
	--operator | --reason | --to | --note | --as-of | --since | --limit | --wait | --force-area | \
	--assigned-to | --recipient | --closed-before | --action | --ref)
		return ;;
	esac
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--db --operator --reason --version --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi
	case $cmd in
	import)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--format --strict --dry-run --ignore-unknown-fields --summary --as-of --wait --quiet --verify-key --help" -- "$cur"))
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
	worklist) COMPREPLY=($(compgen -W "--priority --status --force-area --assigned-to --since --limit --format --output --recipient --sign --passphrase-file --help" -- "$cur")) ;;
	show | stats) COMPREPLY=($(compgen -W "--format --help" -- "$cur")) ;;
	assign) COMPREPLY=($(compgen -W "--to --note --wait --help" -- "$cur")) ;;
	status)
		if [[ -n $sub && $cur != -* ]]; then
			COMPREPLY=($(compgen -W "new assigned in_progress actioned nfa transferred" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "--note --wait --help" -- "$cur"))
		fi
		;;
	audit)
		case $sub in
		"") COMPREPLY=($(compgen -W "log verify checkpoint" -- "$cur")) ;;
		log) COMPREPLY=($(compgen -W "--since --action --operator --ref --format --wait" -- "$cur")) ;;
		verify) COMPREPLY=($(compgen -W "--checkpoint --pubkey" -- "$cur")) ;;
		checkpoint) COMPREPLY=($(compgen -W "--key --output --passphrase-file" -- "$cur")) ;;
		esac
		;;
	purge) COMPREPLY=($(compgen -W "--closed-before --dry-run --wait --help" -- "$cur")) ;;
	keygen) COMPREPLY=($(compgen -W "--output --unencrypted --passphrase-file --help" -- "$cur")) ;;
	esac
}
complete -F _reftriage reftriage
