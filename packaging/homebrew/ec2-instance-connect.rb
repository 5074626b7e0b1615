# Homebrew formula for the EC2 Instance Connect helper on EC2 Mac instances.
class Ec2InstanceConnect < Formula
  desc "Authorize SSH keys pushed with EC2 Instance Connect (sshd helper)"
  homepage "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/connect-linux-inst-eic.html"
  url "https://example.invalid/releases/ec2-instance-connect-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "Apache-2.0"

  depends_on "pkg-config" => :build
  depends_on "libyaml"
  depends_on "openssl@3"
  uses_from_macos "curl"

  def install
    system "make", "install", "MINCURL=no", "STATIC_LIBS=no",
           "PREFIX=#{prefix}",
           "SYSCONFDIR=#{etc}",
           "HELPERDIR=#{libexec}",
           "DATADIR=#{pkgshare}",
           "SYSUSERSDIR=#{pkgshare}/sysusers.d",
           "MANDIR=#{man}",
           "CA_DIR=#{etc}/ca-certificates",
           "CA_FILE=#{etc}/ca-certificates/cert.pem",
           "PKG_CONFIG_PATH=#{Formula["openssl@3"].opt_lib}/pkgconfig:" \
           "#{Formula["libyaml"].opt_lib}/pkgconfig"
  end

  def caveats
    <<~EOS
      sshd requires the helper and every parent directory to be owned by root
      and not writable by group or others; Homebrew's prefix is not. Copy it:
        sudo install -d -o root -g wheel -m 0755 /opt/aws/bin
        sudo install -o root -g wheel -m 0755 #{opt_libexec}/eic_run_authorized_keys /opt/aws/bin/
      Create the unprivileged user it runs as (dscl), then add to
      /etc/ssh/sshd_config (before any Match block):
        AuthorizedKeysCommand /opt/aws/bin/eic_run_authorized_keys %u %f
        AuthorizedKeysCommandUser ec2-instance-connect
      and check with: sudo sshd -T | grep -i authorizedkeyscommand
    EOS
  end

  test do
    assert_match version.to_s, shell_output("#{libexec}/eic_run_authorized_keys --version")
    # A bad setting is refused with exit 2 and nothing printed.
    (testpath/"bad.yaml").write "no_such_setting: 1\n"
    out = shell_output("#{libexec}/eic_run_authorized_keys --config #{testpath}/bad.yaml " \
                       "--debug nobody 2>&1", 2)
    assert_match "unknown setting", out
    # Usage errors exit 2.
    shell_output("#{libexec}/eic_run_authorized_keys", 2)
  end
end
