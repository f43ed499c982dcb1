/* Made from the command and option tables of main.c, so that none of them
 * can drift from what parse() accepts: `strata completion bash|zsh|fish`
 * (a completion script for that shell) and the hidden `strata --help-man`
 * (the man page's list of commands, in roff; tests/integration/term.sh
 * fails when docs/strata.1 differs from it). */
#include "cli.h"

#include <string.h>

/* Options a command takes: global ones and those of its flags. */
static int takes(const cli_command *c, const cli_option *op)
{
	return !op->flag || (c->flags & op->flag);
}

/* s in single quotes for sh, zsh and fish alike ('\'' for a quote). */
static void sq(const char *s)
{
	putchar('\'');
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	putchar('\'');
}

/* Words of the options and, after --, their short aliases. */
static void option_words(const cli_command *c)
{
	for (const cli_option *op = cli_options; op->name; op++)
		if (!c || takes(c, op)) {
			printf(" %s", op->name);
			if (op->alias)
				printf(" %s", op->alias);
		}
}

static void bash(void)
{
	puts("# bash completion for strata: eval \"$(strata completion bash)\", or save it as\n"
	     "# /usr/share/bash-completion/completions/strata.  Made by `strata completion bash`.\n"
	     "_strata() {\n"
	     "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} cmd= i\n"
	     "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	     "\t\tcase ${COMP_WORDS[i]} in");
	fputs("\t\t", stdout);
	const char *sep = "";
	for (const cli_option *op = cli_options; op->name; op++)
		if (op->value) {
			printf("%s%s%s%s", sep, op->name, op->alias ? "|" : "", op->alias ? op->alias : "");
			sep = "|";
		}
	puts(") ((i++)) ;;\n"
	     "\t\t-*) ;;\n"
	     "\t\t*) cmd=${COMP_WORDS[i]}; break ;;\n"
	     "\t\tesac\n"
	     "\tdone\n"
	     "\tcase $prev in\n"
	     "\t-C) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	     "\t-c|--config) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;");
	fputs("\t", stdout);
	sep = "";
	for (const cli_option *op = cli_options; op->name; op++)
		if (op->value && strcmp(op->name, "-C") && strcmp(op->name, "--config")) {
			printf("%s%s", sep, op->name);
			sep = "|";
		}
	puts(") COMPREPLY=(); return ;;\n"
	     "\tesac\n"
	     "\tlocal words\n"
	     "\tcase $cmd in");
	fputs("\t'') words='", stdout);
	for (const cli_command *c = cli_commands; c->name; c++)
		printf("%s%s", c == cli_commands ? "" : " ", c->name);
	option_words(NULL);
	puts("' ;;");
	for (const cli_command *c = cli_commands; c->name; c++) {
		printf("\t%s) words='", c->name);
		if (c->flags & F_SHELL)
			fputs("bash zsh fish", stdout);
		else
			option_words(c);
		puts("' ;;");
	}
	puts("\t*) words= ;;\n"
	     "\tesac\n"
	     "\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
	     "}\n"
	     "complete -F _strata strata");
}

/* zsh's _arguments spec of one option: '(-q --quiet)'{-q,--quiet}'[summary]:value:action'. */
static void zsh_option(const cli_option *op)
{
	fputs("\t\t", stdout);
	if (op->alias)
		printf("'(%s %s)'{%s,%s}", op->alias, op->name, op->alias, op->name);
	else
		printf("'%s", op->name);
	if (op->alias)
		putchar('\'');
	printf("[%s]", op->summary);
	if (op->value) {
		const char *action = !strcmp(op->name, "-C")        ? "_files -/"
		                     : !strcmp(op->name, "--config") ? "_files"
		                                                     : " ";
		printf(":%s:%s", op->value, action);
	}
	puts("' \\");
}

static void zsh(void)
{
	puts("#compdef strata\n"
	     "# zsh completion for strata: save it as _strata in a folder of $fpath, or\n"
	     "# source it after compinit.  Made by `strata completion zsh`.\n"
	     "_strata() {\n"
	     "\tlocal curcontext=$curcontext state line ret=1\n"
	     "\tlocal -a commands\n"
	     "\tcommands=(");
	for (const cli_command *c = cli_commands; c->name; c++) {
		char item[256];
		snprintf(item, sizeof item, "%s:%s", c->name, c->summary);
		fputs("\t\t", stdout);
		sq(item);
		putchar('\n');
	}
	puts("\t)\n"
	     "\t_arguments -C -S \\");
	for (const cli_option *op = cli_options; op->name; op++)
		if (!op->flag)
			zsh_option(op);
	puts("\t\t'1:command:->command' \\\n"
	     "\t\t'*::argument:->argument' && ret=0\n"
	     "\tcase $state in\n"
	     "\tcommand) _describe -t commands 'strata command' commands && ret=0 ;;\n"
	     "\targument)\n"
	     "\t\tcase $line[1] in");
	for (const cli_command *c = cli_commands; c->name; c++) {
		printf("\t\t%s) _arguments -S \\\n", c->name);
		if (c->flags & F_SHELL)
			puts("\t\t'1:shell:(bash zsh fish)' \\");
		if (c->flags & F_ID)
			puts("\t\t'1:migration id: ' \\");
		for (const cli_option *op = cli_options; op->name; op++)
			if (op->flag && (c->flags & op->flag))
				zsh_option(op);
		puts("\t\t&& ret=0 ;;");
	}
	puts("\t\tesac ;;\n"
	     "\tesac\n"
	     "\treturn ret\n"
	     "}\n"
	     "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
	     "\t_strata \"$@\"\n"
	     "else\n"
	     "\tcompdef _strata strata\n"
	     "fi");
}

static void fish_option(const cli_option *op, const char *condition)
{
	fputs("complete -c strata", stdout);
	if (condition)
		printf(" -n %s", condition);
	const char *name = op->name[1] == '-' ? op->name : NULL;
	const char *shrt = name ? op->alias : op->name;
	if (shrt)
		printf(" -s %s", shrt + 1);
	if (name)
		printf(" -l %s", name + 2);
	if (op->value)
		fputs(!strcmp(op->name, "-C")         ? " -x -a '(__fish_complete_directories)'"
		      : !strcmp(op->name, "--config") ? " -r -F"
		                                      : " -x",
		      stdout);
	fputs(" -d ", stdout);
	sq(op->summary);
	putchar('\n');
}

static void fish(void)
{
	puts("# fish completion for strata: strata completion fish | source, or save it as\n"
	     "# ~/.config/fish/completions/strata.fish.  Made by `strata completion fish`.\n"
	     "complete -c strata -f");
	fputs("set -l __strata_commands", stdout);
	for (const cli_command *c = cli_commands; c->name; c++)
		printf(" %s", c->name);
	putchar('\n');
	for (const cli_command *c = cli_commands; c->name; c++) {
		printf("complete -c strata -n \"not __fish_seen_subcommand_from $__strata_commands\" -a %s -d ",
		       c->name);
		sq(c->summary);
		putchar('\n');
	}
	for (const cli_option *op = cli_options; op->name; op++) {
		if (!op->flag) {
			fish_option(op, NULL);
			continue;
		}
		char cond[512] = "'__fish_seen_subcommand_from";
		for (const cli_command *c = cli_commands; c->name; c++)
			if (c->flags & op->flag) {
				strncat(cond, " ", sizeof cond - strlen(cond) - 1);
				strncat(cond, c->name, sizeof cond - strlen(cond) - 1);
			}
		strncat(cond, "'", sizeof cond - strlen(cond) - 1);
		fish_option(op, cond);
	}
	puts("complete -c strata -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'");
}

int cli_completion(const char *shell)
{
	if (!strcmp(shell, "bash"))
		bash();
	else if (!strcmp(shell, "zsh"))
		zsh();
	else if (!strcmp(shell, "fish"))
		fish();
	else
		return -1;
	return 0;
}

/* An args synopsis in roff: --opt bold, VALUE as an italic value, other
 * words (bash, zsh) bold, brackets and bars as they are. */
static void roff_args(const char *a)
{
	while (*a) {
		size_t n = strcspn(a, " []|");
		if (!n) {
			putchar(*a++);
			continue;
		}
		int value = 1;
		for (size_t k = 0; k < n; k++)
			value &= (a[k] >= 'A' && a[k] <= 'Z');
		fputs(value ? "\\fI" : "\\fB", stdout);
		for (size_t k = 0; k < n; k++)
			if (a[k] == '-')
				fputs("\\-", stdout);
			else
				putchar(value ? a[k] - 'A' + 'a' : a[k]);
		fputs("\\fR", stdout);
		a += n;
	}
	putchar('\n');
}

void cli_help_man(void)
{
	for (const cli_command *c = cli_commands; c->name; c++) {
		if (c != cli_commands)
			puts(".br");
		printf(".B strata %s\n", c->name);
		if (*c->args)
			roff_args(c->args);
	}
}
