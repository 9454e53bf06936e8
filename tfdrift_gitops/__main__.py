from tfdrift_gitops.cli import main

main()
