/**
 * Modes of what the store creates: readable by the service's own user only. The workspace holds
 * scripts, tokens can end up in them, and backups hold whole scopes; nothing needs group or world
 * access, because the platform that runs the scripts runs as the same user (the same container).
 *
 * The same modes serve workspace content and the private folder: a file's mode is fixed when it is
 * written, and a sync writes into its staging folder and only then renames into the scope. The
 * executable bit a sync promises (git mode 100755) is kept for the owner (0o700), which is what
 * running a script needs. Azure Files over SMB ignores modes (the mount options decide).
 */
export const FILE_MODE = 0o600;
export const EXECUTABLE_MODE = 0o700;
export const FOLDER_MODE = 0o700;
