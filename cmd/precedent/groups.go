package main

// groupUsage ends a command group's usage page: exit 0 when it was asked
// for (--help), a usage error otherwise.
func groupUsage(args []string) error {
	if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
		return errHelp
	}
	return errUsage
}
