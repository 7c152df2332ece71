from lod.cli import main

main()
