import type { Command } from 'commander';
import type { BackupManifest } from '../../backup/backup-file.js';
import { withExample } from '../client/client-command.js';

interface BackupOptions {
  readonly dataDir: string;
  readonly out: string;
}

interface RestoreOptions {
  readonly from: string;
  readonly dataDir: string;
}

/** `arca backup` and `arca restore`: run on the server's host, beside (or without) a running server. */
export function registerBackupCommands(program: Command): void {
  withExample(
    program
      .command('backup')
      .description("copy a data directory's database, consistently, while the server runs; never the root key")
      .requiredOption('--data-dir <dir>', 'the data directory of the server')
      .requiredOption('--out <file>', 'the backup file to write (must not exist)'),
    'arca backup --data-dir /var/lib/arca --out /backups/arca-$(date +%F).arca-backup',
  ).action(async (options: BackupOptions) => {
    // Loaded here: client commands need none of SQLite.
    const { takeBackup } = await import('../../backup/take-backup.js');
    const manifest = await takeBackup(options.dataDir, options.out);
    process.stdout.write(`wrote ${options.out}: ${describe(manifest)}\n`);
  });
  withExample(
    program
      .command('restore')
      .description('check a backup and restore it into a new data directory; start it with the same root key')
      .requiredOption('--from <file>', 'the backup file')
      .requiredOption('--data-dir <dir>', 'the data directory to create (new or empty)'),
    'arca restore --from /backups/arca-2026-12-04.arca-backup --data-dir /var/lib/arca-restored',
  ).action(async (options: RestoreOptions) => {
    const { restoreBackup } = await import('../../backup/restore-backup.js');
    const manifest = await restoreBackup(options.from, options.dataDir);
    process.stdout.write(`restored ${options.from} into ${options.dataDir}: ${describe(manifest)}\n`);
    process.stdout.write('start it with the root key of the server the backup was taken from\n');
  });
}

function describe(manifest: BackupManifest): string {
  return (
    `${manifest.keys} keys, ${manifest.keyVersions} key versions, ${manifest.aliases} aliases, ${manifest.accessKeys} access keys; ` +
    `taken ${manifest.takenAt}, last change ${manifest.lastChange ?? 'none'}, sha256 ${manifest.databaseSha256}`
  );
}
