from mapgen._entry import main

main()
