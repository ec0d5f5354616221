from kokemus_docs.cli import main

main()
